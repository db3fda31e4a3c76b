export function init() {
function client(){var Jb='',Kb=0,Lb='gwt.codesvr=',Mb='gwt.hosted=',Nb='gwt.hybrid',Ob='client',Pb='#',Qb='?',Rb='/',Sb=1,Tb='img',Ub='clear.cache.gif',Vb='baseUrl',Wb='script',Xb='client.nocache.js',Yb='base',Zb='//',$b='meta',_b='name',ac='gwt:property',bc='content',cc='=',dc='gwt:onPropertyErrorFn',ec='Bad handler "',fc='" for "gwt:onPropertyErrorFn"',gc='gwt:onLoadErrorFn',hc='" for "gwt:onLoadErrorFn"',ic='user.agent',jc='webkit',kc='safari',lc='msie',mc=10,nc=11,oc='ie10',pc=9,qc='ie9',rc=8,sc='ie8',tc='gecko',uc='gecko1_8',vc=2,wc=3,xc=4,yc='Single-script hosted mode not yet implemented. See issue ',zc='http://code.google.com/p/google-web-toolkit/issues/detail?id=2079',Ac='39CA98761A5C3840C3895DC7B3DA99F5',Bc=':1',Cc=':',Dc='DOMContentLoaded',Ec=50;var l=Jb,m=Kb,n=Lb,o=Mb,p=Nb,q=Ob,r=Pb,s=Qb,t=Rb,u=Sb,v=Tb,w=Ub,A=Vb,B=Wb,C=Xb,D=Yb,F=Zb,G=$b,H=_b,I=ac,J=bc,K=cc,L=dc,M=ec,N=fc,O=gc,P=hc,Q=ic,R=jc,S=kc,T=lc,U=mc,V=nc,W=oc,X=pc,Y=qc,Z=rc,$=sc,_=tc,ab=uc,bb=vc,cb=wc,db=xc,eb=yc,fb=zc,gb=Ac,hb=Bc,ib=Cc,jb=Dc,kb=Ec;var lb=window,mb=document,nb,ob,pb=l,qb={},rb=[],sb=[],tb=[],ub=m,vb,wb;if(!lb.__gwt_stylesLoaded){lb.__gwt_stylesLoaded={}}if(!lb.__gwt_scriptsLoaded){lb.__gwt_scriptsLoaded={}}function xb(){var b=false;try{var c=lb.location.search;return (c.indexOf(n)!=-1||(c.indexOf(o)!=-1||lb.external&&lb.external.gwtOnLoad))&&c.indexOf(p)==-1}catch(a){}xb=function(){return b};return b}
function yb(){if(nb&&ob){nb(vb,q,pb,ub)}}
function zb(){function e(a){var b=a.lastIndexOf(r);if(b==-1){b=a.length}var c=a.indexOf(s);if(c==-1){c=a.length}var d=a.lastIndexOf(t,Math.min(c,b));return d>=m?a.substring(m,d+u):l}
function f(a){if(a.match(/^\w+:\/\//)){}else{var b=mb.createElement(v);b.src=a+w;a=e(b.src)}return a}
function g(){var a=Cb(A);if(a!=null){return a}return l}
function h(){var a=mb.getElementsByTagName(B);for(var b=m;b<a.length;++b){if(a[b].src.indexOf(C)!=-1){return e(a[b].src)}}return l}
function i(){var a=mb.getElementsByTagName(D);if(a.length>m){return a[a.length-u].href}return l}
function j(){var a=mb.location;return a.href==a.protocol+F+a.host+a.pathname+a.search+a.hash}
var k=g();if(k==l){k=h()}if(k==l){k=i()}if(k==l&&j()){k=e(mb.location.href)}k=f(k);return k}
function Ab(){var b=document.getElementsByTagName(G);for(var c=m,d=b.length;c<d;++c){var e=b[c],f=e.getAttribute(H),g;if(f){if(f==I){g=e.getAttribute(J);if(g){var h,i=g.indexOf(K);if(i>=m){f=g.substring(m,i);h=g.substring(i+u)}else{f=g;h=l}qb[f]=h}}else if(f==L){g=e.getAttribute(J);if(g){try{wb=eval(g)}catch(a){alert(M+g+N)}}}else if(f==O){g=e.getAttribute(J);if(g){try{vb=eval(g)}catch(a){alert(M+g+P)}}}}}}
var Bb=function(a,b){return b in rb[a]};var Cb=function(a){var b=qb[a];return b==null?null:b};function Db(a,b){var c=tb;for(var d=m,e=a.length-u;d<e;++d){c=c[a[d]]||(c[a[d]]=[])}c[a[e]]=b}
function Eb(a){var b=sb[a](),c=rb[a];if(b in c){return b}var d=[];for(var e in c){d[c[e]]=e}if(wb){wb(a,d,b)}throw null}
sb[Q]=function(){var a=navigator.userAgent.toLowerCase();var b=mb.documentMode;if(function(){return a.indexOf(R)!=-1}())return S;if(function(){return a.indexOf(T)!=-1&&(b>=U&&b<V)}())return W;if(function(){return a.indexOf(T)!=-1&&(b>=X&&b<V)}())return Y;if(function(){return a.indexOf(T)!=-1&&(b>=Z&&b<V)}())return $;if(function(){return a.indexOf(_)!=-1||b>=V}())return ab;return S};rb[Q]={'gecko1_8':m,'ie10':u,'ie8':bb,'ie9':cb,'safari':db};client.onScriptLoad=function(a){client=null;nb=a;yb()};if(xb()){alert(eb+fb);return}zb();Ab();try{var Fb;Db([ab],gb);Db([S],gb+hb);Fb=tb[Eb(Q)];var Gb=Fb.indexOf(ib);if(Gb!=-1){ub=Number(Fb.substring(Gb+u))}}catch(a){return}var Hb;function Ib(){if(!ob){ob=true;yb();if(mb.removeEventListener){mb.removeEventListener(jb,Ib,false)}if(Hb){clearInterval(Hb)}}}
if(mb.addEventListener){mb.addEventListener(jb,function(){Ib()},false)}var Hb=setInterval(function(){if(/loaded|complete/.test(mb.readyState)){Ib()}},kb)}
client();(function () {var $gwt_version = "2.9.0";var $wnd = window;var $doc = $wnd.document;var $moduleName, $moduleBase;var $stats = $wnd.__gwtStatsEvent ? function(a) {$wnd.__gwtStatsEvent(a)} : null;var $strongName = '39CA98761A5C3840C3895DC7B3DA99F5';function I(){}
function Ik(){}
function Kk(){}
function Mk(){}
function cj(){}
function ij(){}
function Hj(){}
function Vj(){}
function Zj(){}
function $i(){}
function nc(){}
function uc(){}
function jl(){}
function ml(){}
function ol(){}
function rl(){}
function Bl(){}
function Br(){}
function zr(){}
function Dr(){}
function Fr(){}
function Om(){}
function Qm(){}
function Sm(){}
function pn(){}
function rn(){}
function to(){}
function Ko(){}
function tq(){}
function ds(){}
function hs(){}
function Et(){}
function It(){}
function Lt(){}
function eu(){}
function Pu(){}
function Iv(){}
function Mv(){}
function _v(){}
function iw(){}
function Sx(){}
function sy(){}
function uy(){}
function nz(){}
function tz(){}
function yA(){}
function gB(){}
function nC(){}
function RC(){}
function EE(){}
function aG(){}
function hH(){}
function sH(){}
function uH(){}
function wH(){}
function NH(){}
function eA(){bA()}
function T(a){S=a;Jb()}
function mk(a){throw a}
function xj(a,b){a.c=b}
function yj(a,b){a.d=b}
function zj(a,b){a.e=b}
function Bj(a,b){a.g=b}
function Cj(a,b){a.h=b}
function Dj(a,b){a.i=b}
function Ej(a,b){a.j=b}
function Fj(a,b){a.k=b}
function Gj(a,b){a.l=b}
function ou(a,b){a.b=b}
function MH(a,b){a.a=b}
function bc(a){this.a=a}
function dc(a){this.a=a}
function Xj(a){this.a=a}
function sk(a){this.a=a}
function uk(a){this.a=a}
function Ok(a){this.a=a}
function hl(a){this.a=a}
function vl(a){this.a=a}
function xl(a){this.a=a}
function zl(a){this.a=a}
function Hl(a){this.a=a}
function Jl(a){this.a=a}
function mm(a){this.a=a}
function Um(a){this.a=a}
function Ym(a){this.a=a}
function Yn(a){this.a=a}
function jn(a){this.a=a}
function un(a){this.a=a}
function Un(a){this.a=a}
function Xn(a){this.a=a}
function co(a){this.a=a}
function ro(a){this.a=a}
function wo(a){this.a=a}
function zo(a){this.a=a}
function Bo(a){this.a=a}
function Do(a){this.a=a}
function Fo(a){this.a=a}
function Ho(a){this.a=a}
function Lo(a){this.a=a}
function Ro(a){this.a=a}
function jp(a){this.a=a}
function Ap(a){this.a=a}
function cq(a){this.a=a}
function rq(a){this.a=a}
function vq(a){this.a=a}
function xq(a){this.a=a}
function jq(a){this.b=a}
function js(a){this.a=a}
function qs(a){this.a=a}
function ss(a){this.a=a}
function us(a){this.a=a}
function ur(a){this.a=a}
function er(a){this.a=a}
function gr(a){this.a=a}
function ir(a){this.a=a}
function rr(a){this.a=a}
function rt(a){this.a=a}
function at(a){this.a=a}
function it(a){this.a=a}
function kt(a){this.a=a}
function mt(a){this.a=a}
function ot(a){this.a=a}
function qt(a){this.a=a}
function vt(a){this.a=a}
function Vt(a){this.a=a}
function Os(a){this.a=a}
function Ts(a){this.a=a}
function cu(a){this.a=a}
function gu(a){this.a=a}
function su(a){this.a=a}
function uu(a){this.a=a}
function Hu(a){this.a=a}
function Nu(a){this.a=a}
function pu(a){this.c=a}
function gv(a){this.a=a}
function kv(a){this.a=a}
function Kv(a){this.a=a}
function ow(a){this.a=a}
function sw(a){this.a=a}
function ww(a){this.a=a}
function yw(a){this.a=a}
function Aw(a){this.a=a}
function Fw(a){this.a=a}
function yy(a){this.a=a}
function Ay(a){this.a=a}
function Ny(a){this.a=a}
function Ry(a){this.a=a}
function Vy(a){this.a=a}
function Xy(a){this.a=a}
function xy(a){this.b=a}
function xz(a){this.a=a}
function rz(a){this.a=a}
function vz(a){this.a=a}
function Bz(a){this.a=a}
function Jz(a){this.a=a}
function Lz(a){this.a=a}
function Nz(a){this.a=a}
function Pz(a){this.a=a}
function Rz(a){this.a=a}
function Yz(a){this.a=a}
function $z(a){this.a=a}
function pA(a){this.a=a}
function sA(a){this.a=a}
function AA(a){this.a=a}
function CA(a){this.e=a}
function eB(a){this.a=a}
function iB(a){this.a=a}
function kB(a){this.a=a}
function GB(a){this.a=a}
function WB(a){this.a=a}
function YB(a){this.a=a}
function $B(a){this.a=a}
function jC(a){this.a=a}
function lC(a){this.a=a}
function BC(a){this.a=a}
function XC(a){this.a=a}
function AE(a){this.a=a}
function CE(a){this.a=a}
function FE(a){this.a=a}
function pF(a){this.a=a}
function QH(a){this.a=a}
function kG(a){this.b=a}
function yG(a){this.c=a}
function R(){this.a=xb()}
function tj(){this.a=++sj}
function dj(){rp();vp()}
function rp(){rp=$i;qp=[]}
function Ri(a){return a.e}
function Fx(a,b){rx(b,a)}
function vx(a,b){Ox(b,a)}
function Ax(a,b){Nx(b,a)}
function QA(a,b){Bv(b,a)}
function dv(a,b){b.ib(a)}
function dE(b,a){b.log(a)}
function eE(b,a){b.warn(a)}
function YD(b,a){b.data=a}
function ut(a,b){xs(b.a,a)}
function Bt(a,b){MC(a.a,b)}
function yC(a){ZA(a.a,a.b)}
function Yb(a){return a.B()}
function Nm(a){return sm(a)}
function hc(a){gc();fc.D(a)}
function Jr(a){a.i||Kr(a.a)}
function Jp(a,b){a.push(b)}
function Aj(a,b){a.f=b;hk=b}
function Z(a,b){a.e=b;W(a,b)}
function bE(b,a){b.debug(a)}
function cE(b,a){b.error(a)}
function JE(){kb.call(this)}
function LE(){ab.call(this)}
function kb(){ab.call(this)}
function wF(){kb.call(this)}
function FG(){kb.call(this)}
function bA(){bA=$i;aA=nA()}
function pb(){pb=$i;ob=new I}
function Qb(){Qb=$i;Pb=new Ko}
function Zt(){Zt=$i;Yt=new eu}
function ok(a){S=a;!!a&&Jb()}
function em(a,b){a.a.add(b.d)}
function Lm(a,b,c){a.set(b,c)}
function $A(a,b,c){a.Qb(c,b)}
function dm(a,b,c){$l(a,c,b)}
function iy(a,b){b.forEach(a)}
function SD(b,a){b.display=a}
function bl(a){Uk();this.a=a}
function MG(a){JG();this.a=a}
function bB(a){aB.call(this,a)}
function DB(a){aB.call(this,a)}
function TB(a){aB.call(this,a)}
function HE(a){lb.call(this,a)}
function nF(a){lb.call(this,a)}
function oF(a){lb.call(this,a)}
function yF(a){lb.call(this,a)}
function xF(a){nb.call(this,a)}
function IE(a){HE.call(this,a)}
function YF(a){HE.call(this,a)}
function cG(a){lb.call(this,a)}
function VF(){FE.call(this,'')}
function WF(){FE.call(this,'')}
function Ui(){Si==null&&(Si=[])}
function HA(){HA=$i;GA=new gB}
function $F(){$F=$i;ZF=new EE}
function Db(){Db=$i;!!(gc(),fc)}
function HH(a,b,c){b.gb(_F(c))}
function Hn(a,b){a.e?Jn(b):cl()}
function Su(a,b){a.c.forEach(b)}
function Wc(a,b){return $c(a,b)}
function xc(a,b){return aF(a,b)}
function br(a,b){return a.a>b.a}
function Q(a){return xb()-a.a}
function QE(a){return ZH(a),a}
function lF(a){return ZH(a),a}
function _F(a){return Ic(a,5).e}
function oE(a){return Object(a)}
function pE(b,a){return a in b}
function UE(a){TE(a);return a.i}
function Tz(a){Hx(a.b,a.a,a.c)}
function aH(a,b,c){b.gb(a.a[c])}
function cy(a,b,c){hC(Ux(a,c,b))}
function RG(a,b){while(a.ic(b));}
function BH(a,b){xH(a);a.a.hc(b)}
function rH(a,b){Ic(a,105)._b(b)}
function fC(a,b){a.e||a.c.add(b)}
function _k(a,b){++Tk;b.cb(a,Qk)}
function Gm(a,b){tC(new gn(b,a))}
function yx(a,b){tC(new Ty(b,a))}
function zx(a,b){tC(new Zy(b,a))}
function Dx(a,b){return dx(b.a,a)}
function My(a,b){return ey(a.a,b)}
function fy(a,b){return Ml(a.b,b)}
function hy(a,b){return Ll(a.b,b)}
function IA(a,b){return WA(a.a,b)}
function IB(a,b){return WA(a.a,b)}
function uB(a,b){return WA(a.a,b)}
function ej(b,a){return b.exec(a)}
function Ub(a){return !!a.b||!!a.g}
function LA(a){_A(a.a);return a.h}
function PA(a){_A(a.a);return a.c}
function Rw(b,a){Kw();delete b[a]}
function _j(a,b){this.b=a;this.a=b}
function Dl(a,b){this.b=a;this.a=b}
function Fl(a,b){this.b=a;this.a=b}
function tl(a,b){this.a=a;this.b=b}
function Tl(a,b){this.a=a;this.b=b}
function Vl(a,b){this.a=a;this.b=b}
function im(a,b){this.a=a;this.b=b}
function km(a,b){this.a=a;this.b=b}
function $m(a,b){this.a=a;this.b=b}
function an(a,b){this.a=a;this.b=b}
function cn(a,b){this.a=a;this.b=b}
function en(a,b){this.a=a;this.b=b}
function gn(a,b){this.a=a;this.b=b}
function _n(a,b){this.a=a;this.b=b}
function Wm(a,b){this.b=a;this.a=b}
function fo(a,b){this.b=a;this.a=b}
function ho(a,b){this.b=a;this.a=b}
function Vo(a,b){this.b=a;this.c=b}
function Hr(a,b){this.b=a;this.a=b}
function ms(a,b){this.a=a;this.b=b}
function os(a,b){this.a=a;this.b=b}
function Ps(a,b){this.a=a;this.b=b}
function vu(a,b){this.b=a;this.a=b}
function Ju(a,b){this.a=a;this.b=b}
function Lu(a,b){this.a=a;this.b=b}
function ev(a,b){this.a=a;this.b=b}
function iv(a,b){this.a=a;this.b=b}
function mv(a,b){this.a=a;this.b=b}
function qw(a,b){this.a=a;this.b=b}
function dp(a,b){Vo.call(this,a,b)}
function pq(a,b){Vo.call(this,a,b)}
function kF(){lb.call(this,null)}
function Ob(){yb!=0&&(yb=0);Cb=-1}
function zu(){this.a=new $wnd.Map}
function QC(){this.c=new $wnd.Map}
function Cy(a,b){this.b=a;this.a=b}
function Ey(a,b){this.b=a;this.a=b}
function Ky(a,b){this.b=a;this.a=b}
function Ty(a,b){this.b=a;this.a=b}
function Zy(a,b){this.b=a;this.a=b}
function Dz(a,b){this.b=a;this.a=b}
function fz(a,b){this.a=a;this.b=b}
function jz(a,b){this.a=a;this.b=b}
function lz(a,b){this.a=a;this.b=b}
function Fz(a,b){this.a=a;this.b=b}
function Wz(a,b){this.a=a;this.b=b}
function iA(a,b){this.a=a;this.b=b}
function mB(a,b){this.a=a;this.b=b}
function aC(a,b){this.a=a;this.b=b}
function zC(a,b){this.a=a;this.b=b}
function CC(a,b){this.a=a;this.b=b}
function kA(a,b){this.b=a;this.a=b}
function tB(a,b){this.d=a;this.e=b}
function kD(a,b){Vo.call(this,a,b)}
function uD(a,b){Vo.call(this,a,b)}
function BD(a,b){Vo.call(this,a,b)}
function JD(a,b){Vo.call(this,a,b)}
function yE(a,b){Vo.call(this,a,b)}
function oH(a,b){Vo.call(this,a,b)}
function qH(a,b){this.a=a;this.b=b}
function KH(a,b){this.a=a;this.b=b}
function RH(a,b){this.b=a;this.a=b}
function Lq(a,b){Dq(a,(ar(),$q),b)}
function Pt(a,b,c,d){Ot(a,b.d,c,d)}
function xx(a,b,c){Lx(a,b);mx(c.e)}
function TH(a,b,c){a.splice(b,0,c)}
function ip(a,b){return gp(b,hp(a))}
function Xl(a,b){return Nc(a.b[b])}
function Yc(a){return typeof a===pI}
function mF(a){return ad((ZH(a),a))}
function MF(a,b){return a.substr(b)}
function dA(a,b){iC(b);aA.delete(a)}
function gE(b,a){b.clearTimeout(a)}
function Nb(a){$wnd.clearTimeout(a)}
function kj(a){$wnd.clearTimeout(a)}
function fE(b,a){b.clearInterval(a)}
function mA(a){a.length=0;return a}
function SF(a,b){a.a+=''+b;return a}
function TF(a,b){a.a+=''+b;return a}
function UF(a,b){a.a+=''+b;return a}
function bd(a){bI(a==null);return a}
function FH(a,b,c){rH(b,c);return b}
function H(a,b){return _c(a)===_c(b)}
function cm(a,b){return a.a.has(b.d)}
function mE(a){return a&&a.valueOf()}
function nE(a){return a&&a.valueOf()}
function HF(a,b){return a.indexOf(b)}
function HG(a){return a!=null?O(a):0}
function _c(a){return a==null?null:a}
function JG(){JG=$i;IG=new MG(null)}
function bw(){bw=$i;aw=new $wnd.Map}
function Kw(){Kw=$i;Jw=new $wnd.Map}
function PE(){PE=$i;NE=false;OE=true}
function jj(a){$wnd.clearInterval(a)}
function U(a){a.h=zc(ji,sI,31,0,0,1)}
function Hq(a){!!a.b&&Qq(a,(ar(),Zq))}
function Vq(a){!!a.b&&Qq(a,(ar(),_q))}
function Sq(a,b){Dq(a,(ar(),_q),b.a)}
function GH(a,b,c){MH(a,PH(b,a.a,c))}
function dy(a,b,c){return Ux(a,c.a,b)}
function el(a,b,c,d){Uk();Dn(a,c,d,b)}
function fl(a,b,c,d){Uk();Gn(a,c,d,b)}
function PH(a,b,c){return FH(a.a,b,c)}
function ZA(a,b){return a.a.delete(b)}
function Zu(a,b){return a.b.delete(b)}
function Xu(a,b){return a.h.delete(b)}
function nA(){return new $wnd.WeakMap}
function Dt(a){this.a=new QC;this.c=a}
function pr(a){this.a=a;ij.call(this)}
function fs(a){this.a=a;ij.call(this)}
function $s(a){this.a=a;ij.call(this)}
function dD(a){this.c=a.toLowerCase()}
function ab(){U(this);V(this);this.w()}
function iI(){iI=$i;fI=new I;hI=new I}
function RF(a){return a==null?wI:bj(a)}
function Mr(a){return sJ in a?a[sJ]:-1}
function gy(a,b){return ym(a.b.root,b)}
function Cx(a,b){var c;c=dx(b,a);hC(c)}
function Yk(a){Jo((Qb(),Pb),new zl(a))}
function zp(a){Jo((Qb(),Pb),new Ap(a))}
function Op(a){Jo((Qb(),Pb),new cq(a))}
function Ur(a){Jo((Qb(),Pb),new us(a))}
function ky(a){Jo((Qb(),Pb),new Rz(a))}
function XF(a){FE.call(this,(ZH(a),a))}
function sG(){this.a=zc(hi,sI,1,0,5,1)}
function ik(a){qk()&&bE($wnd.console,a)}
function kk(a){qk()&&cE($wnd.console,a)}
function pk(a){qk()&&dE($wnd.console,a)}
function rk(a){qk()&&eE($wnd.console,a)}
function jo(a){qk()&&cE($wnd.console,a)}
function wB(a,b){_A(a.a);a.c.forEach(b)}
function JB(a,b){_A(a.a);a.b.forEach(b)}
function LG(a,b){return a.a!=null?a.a:b}
function Sc(a,b){return a!=null&&Hc(a,b)}
function nn(a){return ''+on(ln.lb()-a,3)}
function eI(a){return a.$H||(a.$H=++dI)}
function VD(a,b){return a.appendChild(b)}
function WD(b,a){return b.appendChild(a)}
function IF(a,b){return a.lastIndexOf(b)}
function UD(a,b,c,d){return MD(a,b,c,d)}
function gC(a){if(a.d||a.e){return}eC(a)}
function TE(a){if(a.i!=null){return}eF(a)}
function WH(a){if(!a){throw Ri(new JE)}}
function XH(a){if(!a){throw Ri(new FG)}}
function bI(a){if(!a){throw Ri(new kF)}}
function Xs(a){if(a.a){fj(a.a);a.a=null}}
function Bs(a){if(a.f){fj(a.f);a.f=null}}
function Vs(a,b){b.a.b==(cp(),bp)&&Xs(a)}
function oB(a,b){CA.call(this,a);this.a=b}
function EH(a,b){zH.call(this,a);this.a=b}
function dl(a,b,c){Uk();return a.set(c,b)}
function NF(a,b,c){return a.substr(b,c-b)}
function TD(d,a,b,c){d.setProperty(a,b,c)}
function kc(a){gc();return parseInt(a)||-1}
function Uc(a){return typeof a==='number'}
function Xc(a){return typeof a==='string'}
function Tc(a){return typeof a==='boolean'}
function Uo(a){return a.b!=null?a.b:''+a.c}
function tb(a){return a==null?null:a.name}
function ZD(b,a){return b.createElement(a)}
function _A(a){var b;b=pC;!!b&&cC(b,a.b)}
function kr(a,b){b.a.b==(cp(),bp)&&nr(a,-1)}
function lo(a,b){mo(a,b,Ic(wk(a.a,td),6).j)}
function RE(a,b){return ZH(a),_c(a)===_c(b)}
function Jc(a){bI(a==null||Tc(a));return a}
function Kc(a){bI(a==null||Uc(a));return a}
function Lc(a){bI(a==null||Yc(a));return a}
function Pc(a){bI(a==null||Xc(a));return a}
function tC(a){qC==null&&(qC=[]);qC.push(a)}
function uC(a){sC==null&&(sC=[]);sC.push(a)}
function gl(a){Uk();Tk==0?a.C():Sk.push(a)}
function sb(a){return a==null?null:a.message}
function $c(a,b){return a&&b&&a instanceof b}
function FF(a,b){return ZH(a),_c(a)===_c(b)}
function oj(a,b){return $wnd.setTimeout(a,b)}
function nj(a,b){return $wnd.setInterval(a,b)}
function JF(a,b,c){return a.lastIndexOf(b,c)}
function Eb(a,b,c){return a.apply(b,c);var d}
function Xb(a,b){a.b=Zb(a.b,[b,false]);Vb(a)}
function Tr(a,b){Au(Ic(wk(a.i,Yf),86),b[uJ])}
function xr(a,b,c){a.gb(tF(MA(Ic(c.e,17),b)))}
function ht(a,b,c){a.set(c,(_A(b.a),Pc(b.h)))}
function cr(a,b,c){Vo.call(this,a,b);this.a=c}
function eq(a,b,c){this.a=a;this.c=b;this.b=c}
function ew(a,b,c){this.c=a;this.d=b;this.j=c}
function Hw(a,b,c){this.b=a;this.a=b;this.c=c}
function Iy(a,b,c){this.b=a;this.c=b;this.a=c}
function Gy(a,b,c){this.c=a;this.b=b;this.a=c}
function Py(a,b,c){this.a=a;this.b=b;this.c=c}
function _y(a,b,c){this.a=a;this.b=b;this.c=c}
function bz(a,b,c){this.a=a;this.b=b;this.c=c}
function dz(a,b,c){this.a=a;this.b=b;this.c=c}
function pz(a,b,c){this.c=a;this.b=b;this.a=c}
function Hz(a,b,c){this.b=a;this.c=b;this.a=c}
function zz(a,b,c){this.b=a;this.a=b;this.c=c}
function Uz(a,b,c){this.b=a;this.a=b;this.c=c}
function aB(a){this.a=new $wnd.Set;this.b=a}
function Zl(){this.a=new $wnd.Map;this.b=[]}
function Po(){this.b=(cp(),_o);this.a=new QC}
function Uk(){Uk=$i;Sk=[];Qk=new jl;Rk=new ol}
function vF(){vF=$i;uF=zc(di,sI,27,256,0,1)}
function kw(a){a.c?fE($wnd,a.d):gE($wnd,a.d)}
function Qu(a,b){a.b.add(b);return new mv(a,b)}
function Ru(a,b){a.h.add(b);return new iv(a,b)}
function XD(c,a,b){return c.insertBefore(a,b)}
function RD(b,a){return b.getPropertyValue(a)}
function lj(a,b){return mI(function(){a.H(b)})}
function Cw(a,b){return Dw(new Fw(a),b,19,true)}
function nG(a,b){a.a[a.a.length]=b;return true}
function oG(a,b){YH(b,a.a.length);return a.a[b]}
function Ic(a,b){bI(a==null||Hc(a,b));return a}
function Oc(a,b){bI(a==null||$c(a,b));return a}
function jE(a){if(a==null){return 0}return +a}
function qk(){if(!hk){return true}return lk()}
function $E(a,b){var c;c=XE(a,b);c.e=2;return c}
function SA(a,b){a.d=true;JA(a,b);uC(new iB(a))}
function iC(a){a.e=true;eC(a);a.c.clear();dC(a)}
function up(a){return $wnd.Vaadin.Flow.getApp(a)}
function hm(a,b,c){return a.set(c,(_A(b.a),b.h))}
function Ak(a,b,c){zk(a,b,c.bb());a.b.set(b,c)}
function Rs(a,b){var c;c=ad(lF(Kc(b.a)));Ws(a,c)}
function LC(a,b,c,d){var e;e=NC(a,b,c);e.push(d)}
function JC(a,b){a.a==null&&(a.a=[]);a.a.push(b)}
function Xq(a,b){this.a=a;this.b=b;ij.call(this)}
function Ms(a,b){this.a=a;this.b=b;ij.call(this)}
function mu(a,b){this.a=a;this.b=b;ij.call(this)}
function lb(a){U(this);this.g=a;V(this);this.w()}
function bu(a){Zt();this.c=[];this.a=Yt;this.d=a}
function pj(a){a.onreadystatechange=function(){}}
function Ls(a,b){$wnd.navigator.sendBeacon(a,b)}
function $D(c,a,b){return c.createElementNS(a,b)}
function QD(b,a){return b.getPropertyPriority(a)}
function Bc(a){return Array.isArray(a)&&a.lc===cj}
function Rc(a){return !Array.isArray(a)&&a.lc===cj}
function Vc(a){return a!=null&&Zc(a)&&!(a.lc===cj)}
function DG(a){return new EH(null,CG(a,a.length))}
function CG(a,b){return SG(b,a.length),new bH(a,b)}
function Zb(a,b){!a&&(a=[]);a[a.length]=b;return a}
function YE(a,b,c){var d;d=XE(a,b);iF(c,d);return d}
function qv(a,b){var c;c=b;return Ic(a.a.get(c),7)}
function xk(a,b,c){a.a.delete(c);a.a.set(c,b.bb())}
function PD(a,b,c,d){a.removeEventListener(b,c,d)}
function Im(a,b,c){return a.push(IA(c,new en(c,b)))}
function PG(a){JG();return a==null?IG:new MG(ZH(a))}
function mx(a){var b;b=a.a;$u(a,null);$u(a,b);$v(a)}
function al(a){++Tk;Hn(Ic(wk(a.a,te),54),new rl)}
function xH(a){if(!a.b){yH(a);a.c=true}else{xH(a.b)}}
function Jb(){Db();if(zb){return}zb=true;Kb(false)}
function lI(){if(gI==256){fI=hI;hI=new I;gI=0}++gI}
function ZH(a){if(a==null){throw Ri(new wF)}return a}
function Mc(a){bI(a==null||Array.isArray(a));return a}
function Cc(a,b,c){WH(c==null||wc(a,c));return a[b]=c}
function XE(a,b){var c;c=new VE;c.f=a;c.d=b;return c}
function qB(a,b,c){CA.call(this,a);this.b=b;this.a=c}
function gm(a){this.a=new $wnd.Set;this.b=[];this.c=a}
function kx(a){var b;b=new $wnd.Map;a.push(b);return b}
function Zc(a){return typeof a===nI||typeof a===pI}
function Lb(a){$wnd.setTimeout(function(){throw a},0)}
function jk(a){$wnd.setTimeout(function(){a.I()},0)}
function CH(a,b){yH(a);return new EH(a,new IH(b,a.a))}
function XG(a,b){ZH(b);while(a.c<a.d){aH(a,b,a.c++)}}
function cC(a,b){var c;if(!a.e){c=b.Pb(a);a.b.push(c)}}
function wr(a,b,c,d){var e;e=KB(a,b);IA(e,new Hr(c,d))}
function No(a,b){return KC(a.a,(!Qo&&(Qo=new tj),Qo),b)}
function yt(a,b){return KC(a.a,(!tt&&(tt=new tj),tt),b)}
function zt(a,b){return KC(a.a,(!Ht&&(Ht=new tj),Ht),b)}
function GG(a,b){return _c(a)===_c(b)||a!=null&&K(a,b)}
function on(a,b){return +(Math.round(a+'e+'+b)+'e-'+b)}
function EF(a,b){aI(b,a.length);return a.charCodeAt(b)}
function WG(a,b){this.d=a;this.c=(b&64)!=0?b|16384:b}
function ks(a,b,c,d){this.a=a;this.d=b;this.b=c;this.c=d}
function zH(a){if(!a){this.b=null;new sG}else{this.b=a}}
function _D(a,b,c,d){this.b=a;this.c=b;this.a=c;this.d=d}
function bH(a,b){this.c=0;this.d=b;this.b=17488;this.a=a}
function Ys(a){this.b=a;No(Ic(wk(a,Ge),13),new at(this))}
function Cq(a,b){no(Ic(wk(a.c,Be),23),'',b,'',null,null)}
function mo(a,b,c){no(a,c.caption,c.message,b,c.url,null)}
function yv(a,b,c,d){tv(a,b)&&Pt(Ic(wk(a.c,Jf),33),b,c,d)}
function St(a,b){var c;c=Ic(wk(a.a,Nf),44);$t(c,b);au(c)}
function wC(a,b){var c;c=pC;pC=a;try{b.C()}finally{pC=c}}
function Ws(a,b){Xs(a);if(b>=0){a.a=new $s(a);hj(a.a,b)}}
function SC(a,b,c){this.a=a;this.d=b;this.c=null;this.b=c}
function V(a){if(a.j){a.e!==tI&&a.w();a.h=null}return a}
function Nc(a){bI(a==null||Zc(a)&&!(a.lc===cj));return a}
function ny(a){return RE((PE(),NE),LA(KB(Vu(a,0),HJ)))}
function dr(){ar();return Dc(xc(Te,1),sI,67,0,[Zq,$q,_q])}
function ep(){cp();return Dc(xc(Fe,1),sI,65,0,[_o,ap,bp])}
function KD(){ID();return Dc(xc(Hh,1),sI,46,0,[GD,FD,HD])}
function pH(){nH();return Dc(xc(Di,1),sI,52,0,[kH,lH,mH])}
function yk(a){a.b.forEach(_i(un.prototype.cb,un,[a]))}
function dk(){this.a=new dD($wnd.navigator.userAgent);ck()}
function gc(){gc=$i;var a,b;b=!mc();a=new uc;fc=b?new nc:a}
function zm(a){var b;b=a.f;while(!!b&&!b.a){b=b.f}return b}
function $(a,b){var c;c=UE(a.jc);return b==null?c:c+': '+b}
function xA(a){if(!vA){return a}return $wnd.Polymer.dom(a)}
function iE(c,a,b){return c.setTimeout(mI(a.Ub).bind(a),b)}
function Qc(a){return a.jc||Array.isArray(a)&&xc(ed,1)||ed}
function OD(a,b){Rc(a)?a.U(b):(a.handleEvent(b),undefined)}
function Yu(a,b){_c(b.V(a))===_c((PE(),OE))&&a.b.delete(b)}
function uw(a,b){rA(b).forEach(_i(yw.prototype.gb,yw,[a]))}
function AH(a,b){var c;return DH(a,new sG,(c=new QH(b),c))}
function _H(a,b){if(a<0||a>b){throw Ri(new HE(yK+a+zK+b))}}
function _t(a){a.a=Yt;if(!a.b){return}Es(Ic(wk(a.d,tf),16))}
function yr(a){fk('applyDefaultTheme',(PE(),a?true:false))}
function po(a){BH(DG(Ic(wk(a.a,td),6).c),new to);a.b=false}
function YH(a,b){if(a<0||a>=b){throw Ri(new HE(yK+a+zK+b))}}
function aI(a,b){if(a<0||a>=b){throw Ri(new YF(yK+a+zK+b))}}
function hE(c,a,b){return c.setInterval(mI(a.Ub).bind(a),b)}
function Mm(a,b,c,d,e){a.splice.apply(a,[b,c,d].concat(e))}
function Qn(a,b,c){this.a=a;this.c=b;this.b=c;ij.call(this)}
function Sn(a,b,c){this.a=a;this.c=b;this.b=c;ij.call(this)}
function On(a,b,c){this.b=a;this.d=b;this.c=c;this.a=new R}
function KE(a,b){U(this);this.f=b;this.g=a;V(this);this.w()}
function pm(a,b){a.updateComplete.then(mI(function(){b.I()}))}
function Gx(a,b,c){return a.set(c,KA(KB(Vu(b.e,1),c),b.b[c]))}
function uA(a,b,c,d){return a.splice.apply(a,[b,c].concat(d))}
function qq(){oq();return Dc(xc(Me,1),sI,57,0,[lq,kq,nq,mq])}
function CD(){AD();return Dc(xc(Gh,1),sI,48,0,[zD,xD,yD,wD])}
function Cs(a){if(As(a)){a.b.a=zc(hi,sI,1,0,5,1);Bs(a);Es(a)}}
function cF(a){if(a.$b()){return null}var b=a.h;return Xi[b]}
function aj(a){function b(){}
;b.prototype=a||{};return new b}
function rw(a,b){rA(b).forEach(_i(ww.prototype.gb,ww,[a.a]))}
function JA(a,b){if(!a.b&&a.c&&GG(b,a.h)){return}TA(a,b,true)}
function aF(a,b){var c=a.a=a.a||[];return c[b]||(c[b]=a.Vb(b))}
function xG(a){XH(a.a<a.c.a.length);a.b=a.a++;return a.c.a[a.b]}
function Kr(a){a&&a.afterServerUpdate&&a.afterServerUpdate()}
function Tp(a){$wnd.vaadinPush.atmosphere.unsubscribeUrl(a)}
function Vp(){return $wnd.vaadinPush&&$wnd.vaadinPush.atmosphere}
function mp(a){a?($wnd.location=a):$wnd.location.reload(false)}
function xC(a){this.a=a;this.b=[];this.c=new $wnd.Set;eC(this)}
function zB(a,b){tB.call(this,a,b);this.c=[];this.a=new DB(this)}
function rb(a){pb();nb.call(this,a);this.a='';this.b=a;this.a=''}
function RA(a){if(a.c){a.d=true;TA(a,null,false);uC(new kB(a))}}
function TA(a,b,c){var d;d=a.h;a.c=c;a.h=b;YA(a.a,new qB(a,d,b))}
function Bm(a,b,c){var d;d=[];c!=null&&d.push(c);return tm(a,b,d)}
function ZE(a,b,c,d){var e;e=XE(a,b);iF(c,e);e.e=d?8:0;return e}
function hq(a,b,c){return NF(a.b,b,$wnd.Math.min(a.b.length,c))}
function UC(a,b,c,d){return WC(new $wnd.XMLHttpRequest,a,b,c,d)}
function lD(){jD();return Dc(xc(Ch,1),sI,47,0,[hD,eD,iD,fD,gD])}
function zE(){xE();return Dc(xc(Kh,1),sI,41,0,[vE,rE,wE,uE,sE,tE])}
function NB(a,b,c){_A(b.a);b.c&&(a[c]=sB((_A(b.a),b.h)),undefined)}
function Jo(a,b){++a.a;a.b=Zb(a.b,[b,false]);Vb(a);Xb(a,new Lo(a))}
function Sl(a,b){var c;if(b.length!=0){c=new zA(b);a.e.set(Xg,c)}}
function Au(a,b){var c,d;for(c=0;c<b.length;c++){d=b[c];Cu(a,d)}}
function yp(a){var b=mI(zp);$wnd.Vaadin.Flow.registerWidgetset(a,b)}
function LB(a){var b;b=[];JB(a,_i(YB.prototype.cb,YB,[b]));return b}
function Xk(a,b,c,d){Vk(a,d,c).forEach(_i(vl.prototype.cb,vl,[b]))}
function hz(a,b,c,d,e){this.b=a;this.e=b;this.c=c;this.d=d;this.a=e}
function ME(a){KE.call(this,a==null?wI:bj(a),Sc(a,5)?Ic(a,5):null)}
function dC(a){while(a.b.length!=0){Ic(a.b.splice(0,1)[0],49).Fb()}}
function hC(a){if(a.d&&!a.e){try{wC(a,new lC(a))}finally{a.d=false}}}
function fj(a){if(!a.f){return}++a.d;a.e?jj(a.f.a):kj(a.f.a);a.f=null}
function cb(b){if(!('stack' in b)){try{throw b}catch(a){}}return b}
function KG(a,b){ZH(b);if(a.a!=null){return PG(My(b,a.a))}return IG}
function jH(a,b,c,d){ZH(a);ZH(b);ZH(c);ZH(d);return new qH(b,new hH)}
function sv(a,b){var c;c=uv(b);if(!c||!b.f){return c}return sv(a,b.f)}
function Yl(a,b){var c;c=Nc(a.b[b]);if(c){a.b[b]=null;a.a.delete(c)}}
function so(a,b){var c;c=b.keyCode;if(c==27){b.preventDefault();mp(a)}}
function qj(c,a){var b=c;c.onreadystatechange=mI(function(){a.J(b)})}
function Jn(a){$wnd.HTMLImports.whenReady(mI(function(){a.I()}))}
function Jm(a){return $wnd.customElements&&a.localName.indexOf('-')>-1}
function ad(a){return Math.max(Math.min(a,2147483647),-2147483648)|0}
function vD(){tD();return Dc(xc(Dh,1),sI,35,0,[sD,rD,mD,oD,qD,pD,nD])}
function ED(){ED=$i;DD=Wo((AD(),Dc(xc(Gh,1),sI,48,0,[zD,xD,yD,wD])))}
function xB(a,b){var c;c=a.c.splice(0,b);YA(a.a,new EA(a,0,c,[],false))}
function eH(a,b){!a.a?(a.a=new XF(a.d)):UF(a.a,a.b);SF(a.a,b);return a}
function bm(a,b){if(cm(a,b.e.e)){a.b.push(b);return true}return false}
function sB(a){var b;if(Sc(a,7)){b=Ic(a,7);return Tu(b)}else{return a}}
function Sw(a){Kw();var b;b=a[OJ];if(!b){b={};Pw(b);a[OJ]=b}return b}
function lp(a){var b;b=$doc.createElement('a');b.href=a;return b.href}
function wu(a,b){if(b==null){debugger;throw Ri(new LE)}return a.a.get(b)}
function xu(a,b){if(b==null){debugger;throw Ri(new LE)}return a.a.has(b)}
function XA(a,b){if(!b){debugger;throw Ri(new LE)}return WA(a,a.Rb(b))}
function xb(){if(Date.now){return Date.now()}return (new Date).getTime()}
function Gb(b){Db();return function(){return Hb(b,this,arguments);var a}}
function Fq(a,b){kk('Heartbeat exception: '+b.v());Dq(a,(ar(),Zq),null)}
function wx(a,b){var c;c=b.f;ry(Ic(wk(b.e.e.g.c,td),6),a,c,(_A(b.a),b.h))}
function Hm(a,b,c){var d;d=c.a;a.push(IA(d,new an(d,b)));tC(new Wm(d,b))}
function Ss(a,b){var c,d;c=Vu(a,8);d=KB(c,'pollInterval');IA(d,new Ts(b))}
function SB(a,b,c,d){var e;_A(c.a);if(c.c){e=Nm((_A(c.a),c.h));b[d]=e}}
function Gu(a){Ic(wk(a.a,Ge),13).b==(cp(),bp)||Oo(Ic(wk(a.a,Ge),13),bp)}
function IH(a,b){WG.call(this,b.gc(),b.fc()&-6);ZH(a);this.a=a;this.b=b}
function OB(a,b){tB.call(this,a,b);this.b=new $wnd.Map;this.a=new TB(this)}
function nb(a){U(this);V(this);this.e=a;W(this,a);this.g=a==null?wI:bj(a)}
function mb(a){U(this);this.g=!a?null:$(a,a.v());this.f=a;V(this);this.w()}
function _r(a){this.j=new $wnd.Set;this.g=[];this.c=new fs(this);this.i=a}
function fH(){this.b=', ';this.d='[';this.e=']';this.c=this.d+(''+this.e)}
function Ks(a){this.b=new sG;this.e=a;yt(Ic(wk(this.e,Ff),12),new Os(this))}
function ft(a){this.a=a;IA(KB(Vu(Ic(wk(this.a,bg),8).e,5),fJ),new it(this))}
function qG(a){var b;b=(YH(0,a.a.length),a.a[0]);a.a.splice(0,1);return b}
function rA(a){var b;b=[];a.forEach(_i(sA.prototype.cb,sA,[b]));return b}
function DH(a,b,c){var d;xH(a);d=new NH;d.a=b;a.a.hc(new RH(d,c));return d.a}
function YG(a,b){ZH(b);if(a.c<a.d){aH(a,b,a.c++);return true}return false}
function Kp(a){switch(a.f.c){case 0:case 1:return true;default:return false;}}
function MB(a,b){if(!a.b.has(b)){return false}return PA(Ic(a.b.get(b),17))}
function KF(a,b){var c;b=QF(b);c=new RegExp('-\\d+$');return a.replace(c,b)}
function op(a,b,c){c==null?xA(a).removeAttribute(b):xA(a).setAttribute(b,c)}
function Dm(a,b){$wnd.customElements.whenDefined(a).then(function(){b.I()})}
function wp(a){rp();!$wnd.WebComponents||$wnd.WebComponents.ready?tp(a):sp(a)}
function UH(a,b){return yc(b)!=10&&Dc(M(b),b.kc,b.__elementTypeId$,yc(b),a),a}
function ey(a,b){return PE(),_c(a)===_c(b)||a!=null&&K(a,b)||a==b?false:true}
function M(a){return Xc(a)?mi:Uc(a)?Yh:Tc(a)?Vh:Rc(a)?a.jc:Bc(a)?a.jc:Qc(a)}
function gt(a){var b;if(a==null){return false}b=Pc(a);return !FF('DISABLED',b)}
function Jx(a){var b;b=xA(a);while(b.firstChild){b.removeChild(b.firstChild)}}
function zA(a){this.a=new $wnd.Set;a.forEach(_i(AA.prototype.gb,AA,[this.a]))}
function yB(a,b,c,d){var e,f;e=d;f=uA(a.c,b,c,e);YA(a.a,new EA(a,b,f,d,false))}
function Wu(a,b,c,d){var e;e=c.Tb();!!e&&(b[pv(a.g,ad((ZH(d),d)))]=e,undefined)}
function zc(a,b,c,d,e,f){var g;g=Ac(e,d);e!=10&&Dc(xc(a,f),b,c,e,g);return g}
function $o(a,b){var c;ZH(b);c=a[':'+b];VH(!!c,Dc(xc(hi,1),sI,1,5,[b]));return c}
function Ov(a,b){var c,d,e;e=ad(nE(a[PJ]));d=Vu(b,e);c=a['key'];return KB(d,c)}
function pG(a,b,c){for(;c<a.a.length;++c){if(GG(b,a.a[c])){return c}}return -1}
function fp(a,b,c){FF(c.substr(0,a.length),a)&&(c=b+(''+MF(c,a.length)));return c}
function tn(a,b,c){a.addReadyCallback&&a.addReadyCallback(b,mI(c.I.bind(c)))}
function Ex(a,b,c){var d,e;e=(_A(a.a),a.c);d=b.d.has(c);e!=d&&(e?Xw(c,b):Kx(c,b))}
function Xv(){var a;Xv=$i;Wv=(a=[],a.push(new Sx),a.push(new eA),a);Vv=new _v}
function oA(a){var b;b=new $wnd.Set;a.forEach(_i(pA.prototype.gb,pA,[b]));return b}
function my(a){var b;b=Ic(a.e.get(kg),78);!!b&&(!!b.a&&Tz(b.a),b.b.e.delete(kg))}
function Sr(a){var b;b=a['meta'];if(!b||!('async' in b)){return true}return false}
function Cp(){if(Vp()){return $wnd.vaadinPush.atmosphere.version}else{return null}}
function VH(a,b){if(!a){throw Ri(new nF(cI('Enum constant undefined: %s',b)))}}
function iF(a,b){var c;if(!a){return}b.h=a;var d=cF(b);if(!d){Xi[a]=[b];return}d.jc=b}
function WA(a,b){var c,d;a.a.add(b);d=new zC(a,b);c=pC;!!c&&fC(c,new BC(d));return d}
function et(a,b){var c,d;d=gt(b.b);c=gt(b.a);!d&&c?tC(new kt(a)):d&&!c&&tC(new mt(a))}
function sx(a,b,c,d){var e,f,g;g=c[IJ];e="id='"+g+"'";f=new lz(a,g);lx(a,b,d,f,g,e)}
function Rb(a){var b,c;if(a.c){c=null;do{b=a.c;a.c=null;c=$b(b,c)}while(a.c);a.c=c}}
function Sb(a){var b,c;if(a.d){c=null;do{b=a.d;a.d=null;c=$b(b,c)}while(a.d);a.d=c}}
function gk(a){$wnd.Vaadin.connectionState&&($wnd.Vaadin.connectionState.state=a)}
function yc(a){return a.__elementTypeCategory$==null?10:a.__elementTypeCategory$}
function Ev(a){this.a=new $wnd.Map;this.e=new av(1,this);this.c=a;xv(this,this.e)}
function wy(a,b,c){this.c=new $wnd.Map;this.d=new $wnd.Map;this.e=a;this.b=b;this.a=c}
function _i(a,b,c){var d=function(){return a.apply(d,arguments)};b.apply(d,c);return d}
function jc(a){var b=/function(?:\s+([\w$]+))?\s*\(/;var c=b.exec(a);return c&&c[1]||AI}
function sp(a){var b=function(){tp(a)};$wnd.addEventListener('WebComponentsReady',mI(b))}
function nk(a){var b;b=S;T(new uk(b));if(Sc(a,32)){mk(Ic(a,32).A())}else{throw Ri(a)}}
function vB(a){var b;a.b=true;b=a.c.splice(0,a.c.length);YA(a.a,new EA(a,0,b,[],true))}
function Tb(a){var b;if(a.b){b=a.b;a.b=null;!a.g&&(a.g=[]);$b(b,a.g)}!!a.g&&(a.g=Wb(a.g))}
function Ti(){Ui();var a=Si;for(var b=0;b<arguments.length;b++){a.push(arguments[b])}}
function Bx(a,b){var c,d;c=a.a;if(c.length!=0){for(d=0;d<c.length;d++){Yw(b,Ic(c[d],7))}}}
function TC(a,b){var c;c=new $wnd.XMLHttpRequest;c.withCredentials=true;return VC(c,a,b)}
function MD(e,a,b,c){var d=!b?null:ND(b);e.addEventListener(a,d,c);return new _D(e,a,d,c)}
function Hx(a,b,c){var d,e,f,g;for(e=a,f=0,g=e.length;f<g;++f){d=e[f];tx(d,new Wz(b,d),c)}}
function Mp(a,b){if(b.a.b==(cp(),bp)){if(a.f==(oq(),nq)||a.f==mq){return}Hp(a,new tq)}}
function fk(a,b){$wnd.Vaadin.connectionIndicator&&($wnd.Vaadin.connectionIndicator[a]=b)}
function Wi(a,b){typeof window===nI&&typeof window['$gwt']===nI&&(window['$gwt'][a]=b)}
function Pl(a,b){return !!(a[SI]&&a[SI][TI]&&a[SI][TI][b])&&typeof a[SI][TI][b][UI]!=yI}
function iu(a){return LD(LD(Ic(wk(a.a,td),6).h,'v-r=uidl'),jJ+(''+Ic(wk(a.a,td),6).k))}
function Av(a,b,c,d,e){if(!ov(a,b)){debugger;throw Ri(new LE)}Rt(Ic(wk(a.c,Jf),33),b,c,d,e)}
function ux(a,b,c,d){var e,f,g;g=c[IJ];e="path='"+wb(g)+"'";f=new jz(a,g);lx(a,b,d,f,null,e)}
function jy(a,b,c){var d,e,f;e=Vu(a,1);f=KB(e,c);d=b[c];f.g=(JG(),d==null?IG:new MG(ZH(d)))}
function gw(a,b,c){bw();b==(HA(),GA)&&a!=null&&c!=null&&a.has(c)?Ic(a.get(c),15).I():b.I()}
function gj(a,b){if(b<0){throw Ri(new nF(DI))}!!a.f&&fj(a);a.e=false;a.f=tF(oj(lj(a,a.d),b))}
function hj(a,b){if(b<=0){throw Ri(new nF(EI))}!!a.f&&fj(a);a.e=true;a.f=tF(nj(lj(a,a.d),b))}
function SG(a,b){if(0>a||a>b){throw Ri(new IE('fromIndex: 0, toIndex: '+a+', length: '+b))}}
function AF(a,b,c){if(a==null){debugger;throw Ri(new LE)}this.a=CI;this.d=a;this.b=b;this.c=c}
function UA(a,b,c){HA();this.a=new bB(this);this.g=(JG(),JG(),IG);this.f=a;this.e=b;this.b=c}
function ID(){ID=$i;GD=new JD('INLINE',0);FD=new JD('EAGER',1);HD=new JD('LAZY',2)}
function ar(){ar=$i;Zq=new cr('HEARTBEAT',0,0);$q=new cr('PUSH',1,1);_q=new cr('XHR',2,2)}
function au(a){if(Yt!=a.a||a.c.length==0){return}a.b=true;a.a=new cu(a);Jo((Qb(),Pb),new gu(a))}
function lu(b){if(b.readyState!=1){return false}try{b.send();return true}catch(a){return false}}
function Vx(a,b){var c;c=a;while(true){c=c.f;if(!c){return false}if(K(b,c.a)){return true}}}
function Ep(c,a){var b=c.getConfig(a);if(b===null||b===undefined){return null}else{return tF(b)}}
function Fp(c,a){var b=c.getConfig(a);if(b===null||b===undefined){return null}else{return b+''}}
function Tu(a){var b;b=$wnd.Object.create(null);Su(a,_i(ev.prototype.cb,ev,[a,b]));return b}
function ex(a,b,c,d){var e;e=Vu(d,a);JB(e,_i(Cy.prototype.cb,Cy,[b,c]));return IB(e,new Ey(b,c))}
function Kx(a,b){var c;c=Ic(b.d.get(a),49);b.d.delete(a);if(!c){debugger;throw Ri(new LE)}c.Fb()}
function Gv(a,b){var c;if(Sc(a,30)){c=Ic(a,30);ad((ZH(b),b))==2?xB(c,(_A(c.a),c.c.length)):vB(c)}}
function vv(a,b){var c;if(b!=a.e){c=b.a;!!c&&(Kw(),!!c[OJ])&&Qw((Kw(),c[OJ]));Dv(a,b);b.f=null}}
function zv(a,b,c,d,e,f){if(!ov(a,b)){debugger;throw Ri(new LE)}Qt(Ic(wk(a.c,Jf),33),b,c,d,e,f)}
function FC(a,b){var c,d,e,f;e=[];for(d=0;d<b.length;d++){f=b[d];c=IC(a,f);e.push(c)}return e}
function ND(b){var c=b.handler;if(!c){c=mI(function(a){OD(b,a)});c.listener=b;b.handler=c}return c}
function Qi(a){var b;if(Sc(a,5)){return a}b=a&&a.__java$exception;if(!b){b=new rb(a);hc(b)}return b}
function En(a,b){var c,d;c=new Xn(a);d=new $wnd.Function(a);Nn(a,new co(d),new fo(b,c),new ho(b,c))}
function Is(a,b){b&&(!a.c||!Kp(a.c))?(a.c=new Sp(a.e)):!b&&!!a.c&&Kp(a.c)&&Hp(a.c,new Ps(a,true))}
function Js(a,b){b&&(!a.c||!Kp(a.c))?(a.c=new Sp(a.e)):!b&&!!a.c&&Kp(a.c)&&Hp(a.c,new Ps(a,false))}
function Vb(a){if(!a.i){a.i=true;!a.f&&(a.f=new bc(a));_b(a.f,1);!a.h&&(a.h=new dc(a));_b(a.h,50)}}
function ku(a){this.a=a;MD($wnd,'beforeunload',new su(this),false);zt(Ic(wk(a,Ff),12),new uu(this))}
function nr(a,b){qk()&&bE($wnd.console,'Setting heartbeat interval to '+b+'sec.');a.a=b;lr(a)}
function xs(a,b){ik('Re-sending queued messages to the server (attempt '+b.a+') ...');Bs(a);ws(a)}
function Rr(a,b){if(b==-1){return true}if(b==a.f+1){return true}if(a.f==-1){return true}return false}
function lE(c){return $wnd.JSON.stringify(c,function(a,b){if(a=='$H'){return undefined}return b},0)}
function ac(b,c){Qb();var d=$wnd.setInterval(function(){var a=mI(Yb)(b);!a&&$wnd.clearInterval(d)},c)}
function _b(b,c){Qb();function d(){var a=mI(Yb)(b);a&&$wnd.setTimeout(d,c)}
$wnd.setTimeout(d,c)}
function EC(b,c,d){return mI(function(){var a=Array.prototype.slice.call(arguments);d.Bb(b,c,a)})}
function Kq(a,b,c){Lp(b)&&At(Ic(wk(a.c,Ff),12));Pq(c)||Eq(a,'Invalid JSON from server: '+c,null)}
function Oq(a,b){no(Ic(wk(a.c,Be),23),'',b+' could not be loaded. Push will not work.','',null,null)}
function Jq(a){Ic(wk(a.c,_e),28).a>=0&&nr(Ic(wk(a.c,_e),28),Ic(wk(a.c,td),6).d);Dq(a,(ar(),Zq),null)}
function Np(a,b,c){GF(b,'true')||GF(b,'false')?(a.a[c]=GF(b,'true'),undefined):(a.a[c]=b,undefined)}
function Ot(a,b,c,d){var e;e={};e[LI]=CJ;e[DJ]=Object(b);e[CJ]=c;!!d&&(e['data']=d,undefined);St(a,e)}
function Dc(a,b,c,d,e){e.jc=a;e.kc=b;e.lc=cj;e.__elementTypeId$=c;e.__elementTypeCategory$=d;return e}
function gp(a,b){var c;if(a==null){return null}c=fp('context://',b,a);c=fp('base://','',c);return c}
function uv(a){var b,c;if(!a.c.has(0)){return true}c=Vu(a,0);b=Jc(LA(KB(c,HI)));return !RE((PE(),NE),b)}
function Eu(a,b){var c;c=!!b.a&&!RE((PE(),NE),LA(KB(Vu(b,0),HJ)));if(!c||!b.f){return c}return Eu(a,b.f)}
function wj(a,b){var c;c='/'.length;if(!FF(b.substr(b.length-c,c),'/')){debugger;throw Ri(new LE)}a.b=b}
function $k(a,b){var c;c=new $wnd.Map;b.forEach(_i(tl.prototype.cb,tl,[a,c]));c.size==0||gl(new xl(c))}
function xn(a,b){var c;if(b!=null){c=Pc(a.a.get(b));if(c!=null){a.c.delete(c);a.b.delete(c);a.a.delete(b)}}}
function MA(a,b){var c;_A(a.a);if(a.c){c=(_A(a.a),a.h);if(c==null){return b}return mF(Kc(c))}else{return b}}
function Xw(a,b){var c;if(b.d.has(a)){debugger;throw Ri(new LE)}c=UD(b.b,a,new Bz(b),false);b.d.set(a,c)}
function lw(a,b){if(b<0){throw Ri(new nF(DI))}a.c?fE($wnd,a.d):gE($wnd,a.d);a.c=false;a.d=iE($wnd,new AE(a),b)}
function mw(a,b){if(b<=0){throw Ri(new nF(EI))}a.c?fE($wnd,a.d):gE($wnd,a.d);a.c=true;a.d=hE($wnd,new CE(a),b)}
function cp(){cp=$i;_o=new dp('INITIALIZING',0);ap=new dp('RUNNING',1);bp=new dp('TERMINATED',2)}
function nH(){nH=$i;kH=new oH('CONCURRENT',0);lH=new oH('IDENTITY_FINISH',1);mH=new oH('UNORDERED',2)}
function Y(a){var b,c,d,e;for(b=(a.h==null&&(a.h=(gc(),e=fc.F(a),ic(e))),a.h),c=0,d=b.length;c<d;++c);}
function Gs(a){var b,c,d;b=[];c={};c['UNLOAD']=Object(true);d=zs(a,b,c);Ls(iu(Ic(wk(a.e,Tf),62)),lE(d))}
function BG(a){var b,c,d,e,f;f=1;for(c=a,d=0,e=c.length;d<e;++d){b=c[d];f=31*f+(b!=null?O(b):0);f=f|0}return f}
function EG(a){var b,c,d;d=1;for(c=new yG(a);c.a<c.c.a.length;){b=xG(c);d=31*d+(b!=null?O(b):0);d=d|0}return d}
function Wo(a){var b,c,d,e,f;b={};for(d=a,e=0,f=d.length;e<f;++e){c=d[e];b[':'+(c.b!=null?c.b:''+c.c)]=c}return b}
function $v(a){var b,c;c=Zv(a);b=a.a;if(!a.a){b=c.Jb(a);if(!b){debugger;throw Ri(new LE)}$u(a,b)}Yv(a,b);return b}
function OA(a){var b;_A(a.a);if(a.c){b=(_A(a.a),a.h);if(b==null){return true}return QE(Jc(b))}else{return true}}
function Dp(c,a){var b=c.getConfig(a);if(b===null||b===undefined){return false}else{return PE(),b?true:false}}
function hx(a){var b,c;b=Uu(a.e,24);for(c=0;c<(_A(b.a),b.c.length);c++){Yw(a,Ic(b.c[c],7))}return uB(b,new Vy(a))}
function tF(a){var b,c;if(a>-129&&a<128){b=a+128;c=(vF(),uF)[b];!c&&(c=uF[b]=new pF(a));return c}return new pF(a)}
function ib(a){var b;if(a!=null){b=a.__java$exception;if(b){return b}}return Wc(a,TypeError)?new xF(a):new nb(a)}
function qy(a,b,c,d){if(d==null){!!c&&(delete c['for'],undefined)}else{!c&&(c={});c['for']=d}yv(a.g,a,b,c)}
function VE(){++SE;this.i=null;this.g=null;this.f=null;this.d=null;this.b=null;this.h=null;this.a=null}
function av(a,b){this.c=new $wnd.Map;this.h=new $wnd.Set;this.b=new $wnd.Set;this.e=new $wnd.Map;this.d=a;this.g=b}
function rm(a,b){var c;qm==null&&(qm=nA());c=Oc(qm.get(a),$wnd.Set);if(c==null){c=new $wnd.Set;qm.set(a,c)}c.add(b)}
function Tw(a){var b;b=Lc(Jw.get(a));if(b==null){b=Lc(new $wnd.Function(CJ,VJ,'return ('+a+')'));Jw.set(a,b)}return b}
function qE(c){var a=[];for(var b in c){Object.prototype.hasOwnProperty.call(c,b)&&b!='$H'&&a.push(b)}return a}
function dx(a,b){var c,d;d=a.f;if(b.c.has(d)){debugger;throw Ri(new LE)}c=new xC(new zz(a,b,d));b.c.set(d,c);return c}
function YA(a,b){var c;if(b.Ob()!=a.b){debugger;throw Ri(new LE)}c=oA(a.a);c.forEach(_i(CC.prototype.gb,CC,[a,b]))}
function cx(a){if(!a.b){debugger;throw Ri(new ME('Cannot bind client delegate methods to a Node'))}return Cw(a.b,a.e)}
function yH(a){if(a.b){yH(a.b)}else if(a.c){throw Ri(new oF("Stream already terminated, can't be modified or used"))}}
function NA(a){var b;_A(a.a);if(a.c){b=(_A(a.a),a.h);if(b==null){return null}return _A(a.a),Pc(a.h)}else{return null}}
function dt(a){if(MB(Vu(Ic(wk(a.a,bg),8).e,5),BJ)){return Pc(LA(KB(Vu(Ic(wk(a.a,bg),8).e,5),BJ)))}return null}
function am(a){var b;if(!Ic(wk(a.c,bg),8).f){b=new $wnd.Map;a.a.forEach(_i(im.prototype.gb,im,[a,b]));uC(new km(a,b))}}
function Tq(a,b){var c;At(Ic(wk(a.c,Ff),12));c=b.b.responseText;Pq(c)||Eq(a,'Invalid JSON response from server: '+c,b)}
function Bq(a){a.b=null;Ic(wk(a.c,Ff),12).b&&At(Ic(wk(a.c,Ff),12));gk('connection-lost');nr(Ic(wk(a.c,_e),28),0)}
function Nq(a,b){qk()&&($wnd.console.debug('Reopening push connection'),undefined);Lp(b)&&Dq(a,(ar(),$q),null)}
function _l(a,b){var c;a.a.clear();while(a.b.length>0){c=Ic(a.b.splice(0,1)[0],17);fm(c,b)||Bv(Ic(wk(a.c,bg),8),c);vC()}}
function Iq(a,b){var c;if(b.a.b==(cp(),bp)){if(a.b){Bq(a);c=Ic(wk(a.c,Ge),13);c.b!=bp&&Oo(c,bp)}!!a.d&&!!a.d.f&&fj(a.d)}}
function tp(a){var b,c,d,e;b=(e=new Hj,e.a=a,xp(e,up(a)),e);c=new Mj(b);qp.push(c);d=up(a).getConfig('uidl');Lj(c,d)}
function rv(a,b){var c,d,e;e=rA(a.a);for(c=0;c<e.length;c++){d=Ic(e[c],7);if(b.isSameNode(d.a)){return d}}return null}
function OC(a,b){var c,d;d=Oc(a.c.get(b),$wnd.Map);if(d==null){return []}c=Mc(d.get(null));if(c==null){return []}return c}
function Kn(a,b,c){var d;d=Mc(c.get(a));if(d==null){d=[];d.push(b);c.set(a,d);return true}else{d.push(b);return false}}
function Pq(a){var b;b=ej(new RegExp('Vaadin-Refresh(:\\s*(.*?))?(\\s|$)'),a);if(b){mp(b[2]);return true}return false}
function Em(a){while(a.parentNode&&(a=a.parentNode)){if(a.toString()==='[object ShadowRoot]'){return true}}return false}
function lk(){try{return $wnd.localStorage&&$wnd.localStorage.getItem('vaadin.browserLog')==='true'}catch(a){return false}}
function Ml(b,c){return Array.from(b.querySelectorAll('[name]')).find(function(a){return a.getAttribute('name')==c})}
function Qw(c){Kw();var b=c['}p'].promises;b!==undefined&&b.forEach(function(a){a[1](Error('Client is resynchronizing'))})}
function Mb(a,b){Db();var c;c=S;if(c){if(c==Ab){return}c.q(a);return}if(b){Lb(Sc(a,32)?Ic(a,32).A():a)}else{$F();X(a,ZF,'')}}
function PC(a){var b,c;if(a.a!=null){try{for(c=0;c<a.a.length;c++){b=Ic(a.a[c],340);LC(b.a,b.d,b.c,b.b)}}finally{a.a=null}}}
function cl(){Uk();var a,b;--Tk;if(Tk==0&&Sk.length!=0){try{for(b=0;b<Sk.length;b++){a=Ic(Sk[b],29);a.C()}}finally{mA(Sk)}}}
function GC(a,b){var c,d,e,f,g,h,i,j;for(e=(j=qE(b),j),f=0,g=e.length;f<g;++f){d=e[f];i=b[d];c=IC(a,i);h=c;b[d]=h}return b}
function bx(a,b){var c,d;c=Uu(b,11);for(d=0;d<(_A(c.a),c.c.length);d++){xA(a).classList.add(Pc(c.c[d]))}return uB(c,new Lz(a))}
function fm(a,b){var c,d;c=Oc(b.get(a.e.e.d),$wnd.Map);if(c!=null&&c.has(a.f)){d=c.get(a.f);SA(a,d);return true}return false}
function wm(a){var b;if(qm==null){return}b=Oc(qm.get(a),$wnd.Set);if(b!=null){qm.delete(a);b.forEach(_i(Sm.prototype.gb,Sm,[]))}}
function bj(a){var b;if(Array.isArray(a)&&a.lc===cj){return UE(M(a))+'@'+(b=O(a)>>>0,b.toString(16))}return a.toString()}
function hp(a){var b,c;b=Ic(wk(a.a,td),6).b;c='/'.length;if(!FF(b.substr(b.length-c,c),'/')){debugger;throw Ri(new LE)}return b}
function Ow(a,b){if(typeof a.get===pI){var c=a.get(b);if(typeof c===nI&&typeof c[XI]!==yI){return {nodeId:c[XI]}}}return null}
function Uj(a,b,c){var d;if(a==c.d){d=new $wnd.Function('callback','callback();');d.call(null,b);return PE(),true}return PE(),false}
function Eq(a,b,c){var d,e;c&&(e=c.b);no(Ic(wk(a.c,Be),23),'',b,'',null,null);d=Ic(wk(a.c,Ge),13);d.b!=(cp(),bp)&&Oo(d,bp)}
function KB(a,b){var c;c=Ic(a.b.get(b),17);if(!c){c=new UA(b,a,FF('innerHTML',b)&&a.d==1);a.b.set(b,c);YA(a.a,new oB(a,c))}return c}
function Ct(a){if(a.b){throw Ri(new oF('Trying to start a new request while another is active'))}a.b=true;Bt(a,new Et)}
function pw(a){if(a.a.b){hw(TJ,a.a.b,a.a.a,null);if(a.b.has(SJ)){a.a.g=a.a.b;a.a.h=a.a.a}a.a.b=null;a.a.a=null}else{dw(a.a)}}
function nw(a){if(a.a.b){hw(SJ,a.a.b,a.a.a,a.a.i);a.a.b=null;a.a.a=null;a.a.i=null}else !!a.a.g&&hw(SJ,a.a.g,a.a.h,null);dw(a.a)}
function ek(){return /iPad|iPhone|iPod/.test(navigator.platform)||navigator.platform==='MacIntel'&&navigator.maxTouchPoints>1}
function AD(){AD=$i;zD=new BD('STYLESHEET',0);xD=new BD('JAVASCRIPT',1);yD=new BD('JS_MODULE',2);wD=new BD('DYNAMIC_IMPORT',3)}
function jD(){jD=$i;hD=new kD('UNKNOWN',0);eD=new kD('GECKO',1);iD=new kD('WEBKIT',2);fD=new kD('PRESTO',3);gD=new kD('TRIDENT',4)}
function Tt(a,b,c,d,e){var f;f={};f[LI]='mSync';f[DJ]=oE(b.d);f['feature']=Object(c);f['property']=d;f[UI]=e==null?null:e;St(a,f)}
function Wq(a){this.c=a;No(Ic(wk(a,Ge),13),new er(this));MD($wnd,'offline',new gr(this),false);MD($wnd,'online',new ir(this),false)}
function hw(a,b,c,d){bw();FF(SJ,a)?c.forEach(_i(Aw.prototype.cb,Aw,[d])):rA(c).forEach(_i(iw.prototype.gb,iw,[]));qy(b.b,b.c,b.a,a)}
function eC(a){var b;a.d=true;dC(a);a.e||tC(new jC(a));if(a.c.size!=0){b=a.c;a.c=new $wnd.Set;b.forEach(_i(nC.prototype.gb,nC,[]))}}
function gx(a){var b;if(!a.b){debugger;throw Ri(new ME('Cannot bind shadow root to a Node'))}b=Vu(a.e,20);$w(a);return IB(b,new Yz(a))}
function om(a){return typeof a.update==pI&&a.updateComplete instanceof Promise&&typeof a.shouldUpdate==pI&&typeof a.firstUpdated==pI}
function hF(a,b){var c=0;while(!b[c]||b[c]==''){c++}var d=b[c++];for(;c<b.length;c++){if(!b[c]||b[c]==''){continue}d+=a+b[c]}return d}
function mc(){if(Error.stackTraceLimit>0){$wnd.Error.stackTraceLimit=Error.stackTraceLimit=64;return true}return 'stack' in new Error}
function Ql(a,b){var c,d;d=Vu(a,1);if(!a.a){Dm(Pc(LA(KB(Vu(a,0),'tag'))),new Tl(a,b));return}for(c=0;c<b.length;c++){Rl(a,d,Pc(b[c]))}}
function Zr(a){var b=$doc.querySelectorAll('link[data-id="'+a+'"], style[data-id="'+a+'"]');for(var c=0;c<b.length;c++){b[c].remove()}}
function GF(a,b){ZH(a);if(b==null){return false}if(FF(a,b)){return true}return a.length==b.length&&FF(a.toLowerCase(),b.toLowerCase())}
function vo(a){qk()&&($wnd.console.debug('Re-establish PUSH connection'),undefined);Is(Ic(wk(a.a.a,tf),16),true);Jo((Qb(),Pb),new Bo(a))}
function Zw(a,b){var c,d,e;if(a.c.has(3)){c=Vu(a,3);if(MB(c,'slot')){e=KB(c,'slot');d=e.f;ry(Ic(wk(e.e.e.g.c,td),6),b,d,(_A(e.a),e.h))}}}
function oq(){oq=$i;lq=new pq('CONNECT_PENDING',0);kq=new pq('CONNECTED',1);nq=new pq('DISCONNECT_PENDING',2);mq=new pq('DISCONNECTED',3)}
function Rt(a,b,c,d,e){var f;f={};f[LI]='attachExistingElementById';f[DJ]=oE(b.d);f[EJ]=Object(c);f[FJ]=Object(d);f['attachId']=e;St(a,f)}
function Uu(a,b){var c,d;d=b;c=Ic(a.c.get(d),34);if(!c){c=new zB(b,a);a.c.set(d,c)}if(!Sc(c,30)){debugger;throw Ri(new LE)}return Ic(c,30)}
function Vu(a,b){var c,d;d=b;c=Ic(a.c.get(d),34);if(!c){c=new OB(b,a);a.c.set(d,c)}if(!Sc(c,45)){debugger;throw Ri(new LE)}return Ic(c,45)}
function rG(a,b){var c,d;d=a.a.length;b.length<d&&(b=UH(new Array(d),b));for(c=0;c<d;++c){Cc(b,c,a.a[c])}b.length>d&&Cc(b,d,null);return b}
function Mx(a,b){var c,d;d=KB(b,ZJ);_A(d.a);d.c||SA(d,a.getAttribute(ZJ));c=KB(b,$J);Em(a)&&(_A(c.a),!c.c)&&!!a.style&&SA(c,a.style.display)}
function wv(a){wB(Uu(a.e,24),_i(Iv.prototype.gb,Iv,[]));Su(a.e,_i(Mv.prototype.cb,Mv,[]));a.a.forEach(_i(Kv.prototype.cb,Kv,[a]));a.d=true}
function Zk(a){qk()&&($wnd.console.debug('Finished loading eager dependencies, loading lazy.'),undefined);a.forEach(_i(Bl.prototype.cb,Bl,[]))}
function vw(a,b){if(b.e){!!b.b&&hw(SJ,b.b,b.a,null)}else{hw(TJ,b.b,b.a,null);mw(b.f,ad(b.j))}if(b.b){nG(a,b.b);b.b=null;b.a=null;b.i=null}}
function kI(a){iI();var b,c,d;c=':'+a;d=hI[c];if(d!=null){return ad((ZH(d),d))}d=fI[c];b=d==null?jI(a):ad((ZH(d),d));lI();hI[c]=b;return b}
function O(a){return Xc(a)?kI(a):Uc(a)?ad((ZH(a),a)):Tc(a)?(ZH(a),a)?1231:1237:Rc(a)?a.o():Bc(a)?eI(a):!!a&&!!a.hashCode?a.hashCode():eI(a)}
function zk(a,b,c){if(a.a.has(b)){debugger;throw Ri(new ME((TE(b),'Registry already has a class of type '+b.i+' registered')))}a.a.set(b,c)}
function Yv(a,b){Xv();var c;if(a.g.f){debugger;throw Ri(new ME('Binding state node while processing state tree changes'))}c=Zv(a);c.Ib(a,b,Vv)}
function EA(a,b,c,d,e){this.e=a;if(c==null){debugger;throw Ri(new LE)}if(d==null){debugger;throw Ri(new LE)}this.c=b;this.d=c;this.a=d;this.b=e}
function Ol(a,b,c,d){var e,f;if(!d){f=Ic(wk(a.g.c,Wd),64);e=Ic(f.a.get(c),27);if(!e){f.b[b]=c;f.a.set(c,tF(b));return tF(b)}return e}return d}
function Zx(a,b){var c,d;while(b!=null){for(c=a.length-1;c>-1;c--){d=Ic(a[c],7);if(b.isSameNode(d.a)){return d.d}}b=xA(b.parentNode)}return -1}
function Rl(a,b,c){var d;if(Pl(a.a,c)){d=Ic(a.e.get(Xg),79);if(!d||!d.a.has(c)){return}KA(KB(b,c),a.a[c]).I()}else{MB(b,c)||SA(KB(b,c),null)}}
function $l(a,b,c){var d,e;e=qv(Ic(wk(a.c,bg),8),ad((ZH(b),b)));if(e.c.has(1)){d=new $wnd.Map;JB(Vu(e,1),_i(mm.prototype.cb,mm,[d]));c.set(b,d)}}
function NC(a,b,c){var d,e;e=Oc(a.c.get(b),$wnd.Map);if(e==null){e=new $wnd.Map;a.c.set(b,e)}d=Mc(e.get(c));if(d==null){d=[];e.set(c,d)}return d}
function Yx(a){var b;Vw==null&&(Vw=new $wnd.Map);b=Lc(Vw.get(a));if(b==null){b=Lc(new $wnd.Function(CJ,VJ,'return ('+a+')'));Vw.set(a,b)}return b}
function as(){if($wnd.performance&&$wnd.performance.timing){return (new Date).getTime()-$wnd.performance.timing.responseStart}else{return -1}}
function Ew(a,b,c,d){var e,f,g,h,i;i=Nc(a.bb());h=d.d;for(g=0;g<h.length;g++){Rw(i,Pc(h[g]))}e=d.a;for(f=0;f<e.length;f++){Lw(i,Pc(e[f]),b,c)}}
function ly(a,b){var c,d,e,f,g;d=xA(a).classList;g=b.d;for(f=0;f<g.length;f++){d.remove(Pc(g[f]))}c=b.a;for(e=0;e<c.length;e++){d.add(Pc(c[e]))}}
function px(a,b){var c,d,e,f,g;g=Uu(b.e,2);d=0;f=null;for(e=0;e<(_A(g.a),g.c.length);e++){if(d==a){return f}c=Ic(g.c[e],7);if(c.a){f=c;++d}}return f}
function Am(a){var b,c,d,e;d=-1;b=Uu(a.f,16);for(c=0;c<(_A(b.a),b.c.length);c++){e=b.c[c];if(K(a,e)){d=c;break}}if(d<0){return null}return ''+d}
function Hc(a,b){if(Xc(a)){return !!Gc[b]}else if(a.kc){return !!a.kc[b]}else if(Uc(a)){return !!Fc[b]}else if(Tc(a)){return !!Ec[b]}return false}
function K(a,b){return Xc(a)?FF(a,b):Uc(a)?(ZH(a),_c(a)===_c(b)):Tc(a)?RE(a,b):Rc(a)?a.m(b):Bc(a)?H(a,b):!!a&&!!a.equals?a.equals(b):_c(a)===_c(b)}
function X(a,b,c){var d,e,f,g,h;Y(a);for(e=(a.i==null&&(a.i=zc(oi,sI,5,0,0,1)),a.i),f=0,g=e.length;f<g;++f){d=e[f];X(d,b,'\t'+c)}h=a.f;!!h&&X(h,b,c)}
function In(a){this.c=new $wnd.Set;this.b=new $wnd.Map;this.a=new $wnd.Map;this.e=!!($wnd.HTMLImports&&$wnd.HTMLImports.whenReady);this.d=a;Bn(this)}
function Dv(a,b){if(!ov(a,b)){debugger;throw Ri(new LE)}if(b==a.e){debugger;throw Ri(new ME("Root node can't be unregistered"))}a.a.delete(b.d);_u(b)}
function ov(a,b){if(!b){debugger;throw Ri(new ME(LJ))}if(b.g!=a){debugger;throw Ri(new ME(MJ))}if(b!=qv(a,b.d)){debugger;throw Ri(new ME(NJ))}return true}
function wk(a,b){if(!a.a.has(b)){debugger;throw Ri(new ME((TE(b),'Tried to lookup type '+b.i+' but no instance has been registered')))}return a.a.get(b)}
function Ux(a,b,c){var d,e;e=b.f;if(c.has(e)){debugger;throw Ri(new ME("There's already a binding for "+e))}d=new xC(new Ky(a,b));c.set(e,d);return d}
function $u(a,b){var c;if(!(!a.a||!b)){debugger;throw Ri(new ME('StateNode already has a DOM node'))}a.a=b;c=oA(a.b);c.forEach(_i(kv.prototype.gb,kv,[a]))}
function xE(){xE=$i;vE=new yE('OBJECT',0);rE=new yE('ARRAY',1);wE=new yE('STRING',2);uE=new yE('NUMBER',3);sE=new yE('BOOLEAN',4);tE=new yE('NULL',5)}
function bs(){if($wnd.performance&&$wnd.performance.timing&&$wnd.performance.timing.fetchStart){return $wnd.performance.timing.fetchStart}else{return 0}}
function Ac(a,b){var c=new Array(b);var d;switch(a){case 14:case 15:d=0;break;case 16:d=false;break;default:return c;}for(var e=0;e<b;++e){c[e]=d}return c}
function Cm(a){var b,c,d,e,f;e=null;c=Vu(a.f,1);f=LB(c);for(b=0;b<f.length;b++){d=Pc(f[b]);if(K(a,LA(KB(c,d)))){e=d;break}}if(e==null){return null}return e}
function lc(a){gc();var b=a.e;if(b&&b.stack){var c=b.stack;var d=b+'\n';c.substring(0,d.length)==d&&(c=c.substring(d.length));return c.split('\n')}return []}
function KC(a,b,c){var d;if(!b){throw Ri(new yF('Cannot add a handler with a null type'))}a.b>0?JC(a,new SC(a,b,c)):(d=NC(a,b,null),d.push(c));return new RC}
function vm(a,b){var c,d,e,f,g;f=a.f;d=a.e.e;g=zm(d);if(!g){rk(YI+d.d+ZI);return}c=sm((_A(a.a),a.h));if(Fm(g.a)){e=Bm(g,d,f);e!=null&&Lm(g.a,e,c);return}b[f]=c}
function ct(a){var b,c,d,e;b=KB(Vu(Ic(wk(a.a,bg),8).e,5),'parameters');e=(_A(b.a),Ic(b.h,7));d=Vu(e,6);c=new $wnd.Map;JB(d,_i(ot.prototype.cb,ot,[c]));return c}
function lx(a,b,c,d,e,f){var g,h;if(!Qx(a.e,b,e,f)){return}g=Nc(d.bb());if(Rx(g,b,e,f,a)){if(!c){h=Ic(wk(b.g.c,Yd),55);h.a.add(b.d);am(h)}$u(b,g);$v(b)}c||vC()}
function Bv(a,b){var c,d;if(!b){debugger;throw Ri(new LE)}d=b.e;c=d.e;if(bm(Ic(wk(a.c,Yd),55),b)||!tv(a,c)){return}Tt(Ic(wk(a.c,Jf),33),c,d.d,b.f,(_A(b.a),b.h))}
function lr(a){if(a.a>0){ik('Scheduling heartbeat in '+a.a+' seconds');gj(a.c,a.a*1000)}else{qk()&&($wnd.console.debug('Disabling heartbeat'),undefined);fj(a.c)}}
function yn(){var a,b,c,d;b=$doc.head.childNodes;c=b.length;for(d=0;d<c;d++){a=b.item(d);if(a.nodeType==8&&FF('Stylesheet end',a.nodeValue)){return a}}return null}
function Xr(a,b){var c,d;if(!b||b.length==0){return}ik('Processing '+b.length+' stylesheet removals');for(d=0;d<b.length;d++){c=b[d];Zr(c);xn(Ic(wk(a.i,te),54),c)}}
function ys(a,b){a.c=null;b&&gt(LA(KB(Vu(Ic(wk(Ic(wk(a.e,Bf),37).a,bg),8).e,5),fJ)))&&(!a.c||!Kp(a.c))&&(a.c=new Sp(a.e));Ic(wk(a.e,Nf),44).b&&au(Ic(wk(a.e,Nf),44))}
function Lx(a,b){var c,d,e;Mx(a,b);e=KB(b,ZJ);_A(e.a);e.c&&ry(Ic(wk(b.e.g.c,td),6),a,ZJ,(_A(e.a),e.h));c=KB(b,$J);_A(c.a);if(c.c){d=(_A(c.a),bj(c.h));SD(a.style,d)}}
function Lj(a,b){if(!b){Cs(Ic(wk(a.a,tf),16))}else{Ct(Ic(wk(a.a,Ff),12));Pr(Ic(wk(a.a,pf),22),b)}MD($wnd,'pagehide',new Xj(a),false);MD($wnd,'pageshow',new Zj,false)}
function Oo(a,b){if(b.c!=a.b.c+1){throw Ri(new nF('Tried to move from state '+Uo(a.b)+' to '+(b.b!=null?b.b:''+b.c)+' which is not allowed'))}a.b=b;MC(a.a,new Ro(a))}
function Vi(b,c,d,e){Ui();var f=Si;$moduleName=c;$moduleBase=d;Pi=e;function g(){for(var a=0;a<f.length;a++){f[a]()}}
if(b){try{mI(g)()}catch(a){b(c,a)}}else{mI(g)()}}
function ic(a){var b,c,d,e;b='hc';c='hb';e=$wnd.Math.min(a.length,5);for(d=e-1;d>=0;d--){if(FF(a[d].d,b)||FF(a[d].d,c)){a.length>=d+1&&a.splice(0,d+1);break}}return a}
function Qq(a,b){if(a.b!=b){return}a.b=null;a.a=0;if(a.d){fj(a.d);a.d=null}gk('connected');qk()&&($wnd.console.debug('Re-established connection to server'),undefined)}
function Qt(a,b,c,d,e,f){var g;g={};g[LI]='attachExistingElement';g[DJ]=oE(b.d);g[EJ]=Object(c);g[FJ]=Object(d);g['attachTagName']=e;g['attachIndex']=Object(f);St(a,g)}
function Fm(a){var b=typeof $wnd.Polymer===pI&&$wnd.Polymer.Element&&a instanceof $wnd.Polymer.Element;var c=a.constructor.polymerElementVersion!==undefined;return b||c}
function tD(){tD=$i;sD=new uD('UNKNOWN',0);rD=new uD('SAFARI',1);mD=new uD('CHROME',2);oD=new uD('FIREFOX',3);qD=new uD('OPERA',4);pD=new uD('IE',5);nD=new uD('EDGE',6)}
function Dw(a,b,c,d){var e,f,g,h;h=Uu(b,c);_A(h.a);if(h.c.length>0){f=Nc(a.bb());for(e=0;e<(_A(h.a),h.c.length);e++){g=Pc(h.c[e]);Lw(f,g,b,d)}}return uB(h,new Hw(a,b,d))}
function Xx(a,b){var c,d,e,f,g;c=xA(b).childNodes;for(e=0;e<c.length;e++){d=Nc(c[e]);for(f=0;f<(_A(a.a),a.c.length);f++){g=Ic(a.c[f],7);if(K(d,g.a)){return d}}}return null}
function QF(a){var b;b=0;while(0<=(b=a.indexOf('\\',b))){aI(b+1,a.length);a.charCodeAt(b+1)==36?(a=a.substr(0,b)+'$'+MF(a,++b)):(a=a.substr(0,b)+(''+MF(a,++b)))}return a}
function Fu(a){var b,c,d;if(!!a.a||!qv(a.g,a.d)){return false}if(MB(Vu(a,0),IJ)){d=LA(KB(Vu(a,0),IJ));if(Vc(d)){b=Nc(d);c=b[LI];return FF('@id',c)||FF(JJ,c)}}return false}
function An(a,b){var c,d,e,f;ik('Loaded '+b.a);f=b.a;e=Mc(a.b.get(f));a.c.add(f);a.b.delete(f);if(e!=null&&e.length!=0){for(c=0;c<e.length;c++){d=Ic(e[c],25);!!d&&d.eb(b)}}}
function Cv(a,b){if(a.f==b){debugger;throw Ri(new ME('Inconsistent state tree updating status, expected '+(b?'no ':'')+' updates in progress.'))}a.f=b;am(Ic(wk(a.c,Yd),55))}
function qb(a){var b;if(a.c==null){b=_c(a.b)===_c(ob)?null:a.b;a.d=b==null?wI:Vc(b)?tb(Nc(b)):Xc(b)?'String':UE(M(b));a.a=a.a+': '+(Vc(b)?sb(Nc(b)):b+'');a.c='('+a.d+') '+a.a}}
function Cn(a,b,c){var d,e;d=new Xn(b);if(a.c.has(b)){!!c&&c.eb(d);return}if(Kn(b,c,a.b)){e=$doc.createElement(cJ);e.textContent=b;e.type=RI;Ln(e,new Yn(a),d);WD($doc.head,e)}}
function ix(a,b,c){var d;if(!b.b){debugger;throw Ri(new ME(XJ+b.e.d+$I))}d=Vu(b.e,0);SA(KB(d,HJ),(PE(),uv(b.e)?true:false));Px(a,b,c);return IA(KB(Vu(b.e,0),HI),new Gy(a,b,c))}
function Yi(){Xi={};!Array.isArray&&(Array.isArray=function(a){return Object.prototype.toString.call(a)===oI});function b(){return (new Date).getTime()}
!Date.now&&(Date.now=b)}
function As(a){switch(a.g){case 0:qk()&&($wnd.console.debug('Resynchronize from server requested'),undefined);a.g=1;return true;case 1:return true;case 2:default:return false;}}
function Qv(a,b){var c,d,e,f,g,h;h=new $wnd.Set;e=b.length;for(d=0;d<e;d++){c=b[d];if(FF('attach',c[LI])){g=ad(nE(c[DJ]));if(g!=a.e.d){f=new av(g,a);xv(a,f);h.add(f)}}}return h}
function cA(a,b){var c,d,e;if(!a.c.has(7)){debugger;throw Ri(new LE)}if(aA.has(a)){return}aA.set(a,(PE(),true));d=Vu(a,7);e=KB(d,'text');c=new xC(new iA(b,e));Ru(a,new kA(a,c))}
function oo(a){var b=document.getElementsByTagName(a);for(var c=0;c<b.length;++c){var d=b[c];d.$server.disconnected=function(){};d.parentNode.replaceChild(d.cloneNode(false),d)}}
function Yr(a){var b,c,d;for(b=0;b<a.g.length;b++){c=Ic(a.g[b],56);d=Mr(c.a);if(d!=-1&&d<a.f+1){qk()&&bE($wnd.console,'Removing old message with id '+d);a.g.splice(b,1)[0];--b}}}
function Lp(a){if(a.g==null){return false}if(!FF(a.g,kJ)){return false}if(MB(Vu(Ic(wk(Ic(wk(a.d,Bf),37).a,bg),8).e,5),'alwaysXhrToServer')){return false}a.f==(oq(),lq);return true}
function mn(){if(typeof $wnd.Vaadin.Flow.gwtStatsEvents==nI){delete $wnd.Vaadin.Flow.gwtStatsEvents;typeof $wnd.__gwtStatsEvent==pI&&($wnd.__gwtStatsEvent=function(){return true})}}
function $r(a,b){a.j.delete(b);if(a.j.size==0){fj(a.c);if(a.g.length!=0){qk()&&($wnd.console.debug('No more response handling locks, handling pending requests.'),undefined);Qr(a)}}}
function Hb(b,c,d){var e,f;e=Fb();try{if(S){try{return Eb(b,c,d)}catch(a){a=Qi(a);if(Sc(a,5)){f=a;Mb(f,true);return undefined}else throw Ri(a)}}else{return Eb(b,c,d)}}finally{Ib(e)}}
function $t(a,b){if(Ic(wk(a.d,Ge),13).b!=(cp(),ap)){qk()&&($wnd.console.warn('Trying to invoke method on not yet started or stopped application'),undefined);return}a.c[a.c.length]=b}
function LD(a,b){var c,d;if(b.length==0){return a}c=null;d=HF(a,PF(35));if(d!=-1){c=a.substr(d);a=a.substr(0,d)}a.indexOf('?')!=-1?(a+='&'):(a+='?');a+=b;c!=null&&(a+=''+c);return a}
function wn(a){var b;b=yn();!b&&qk()&&($wnd.console.error("Expected to find a 'Stylesheet end' comment inside <head> but none was found. Appending instead."),undefined);XD($doc.head,a,b)}
function OF(a){var b,c,d;c=a.length;d=0;while(d<c&&(aI(d,a.length),a.charCodeAt(d)<=32)){++d}b=c;while(b>d&&(aI(b-1,a.length),a.charCodeAt(b-1)<=32)){--b}return d>0||b<c?a.substr(d,b-d):a}
function zn(a,b){var c,d,e,f;jo((Ic(wk(a.d,Be),23),'Error loading '+b.a));f=b.a;e=Mc(a.b.get(f));a.b.delete(f);if(e!=null&&e.length!=0){for(c=0;c<e.length;c++){d=Ic(e[c],25);!!d&&d.db(b)}}}
function HC(a,b){var c,d,e;if(kE(b)==(xE(),vE)){e=b['@v-node'];if(e){if(kE(e)!=uE){throw Ri(new nF(dK+kE(e)+eK+lE(b)))}d=ad(jE(e));return c=d,Ic(a.a.get(c),7)}return null}else{return null}}
function Ut(a,b,c,d,e){var f;f={};f[LI]='publishedEventHandler';f[DJ]=oE(b.d);f['templateEventMethodName']=c;f['templateEventMethodArgs']=d;e!=-1&&(f['promise']=Object(e),undefined);St(a,f)}
function Mw(a,b,c,d){var e,f,g,h,i,j;if(MB(Vu(d,18),c)){f=[];e=Ic(wk(d.g.c,Uf),63);i=Pc(LA(KB(Vu(d,18),c)));g=Mc(wu(e,i));for(j=0;j<g.length;j++){h=Pc(g[j]);f[j]=Nw(a,b,d,h)}return f}return null}
function Pv(a,b){var c;if(!('featType' in a)){debugger;throw Ri(new ME("Change doesn't contain feature type. Don't know how to populate feature"))}c=ad(nE(a[PJ]));mE(a['featType'])?Uu(b,c):Vu(b,c)}
function PF(a){var b,c;if(a>=65536){b=55296+(a-65536>>10&1023)&65535;c=56320+(a-65536&1023)&65535;return String.fromCharCode(b)+(''+String.fromCharCode(c))}else{return String.fromCharCode(a&65535)}}
function Ib(a){a&&Sb((Qb(),Pb));--yb;if(yb<0){debugger;throw Ri(new ME('Negative entryDepth value at exit '+yb))}if(a){if(yb!=0){debugger;throw Ri(new ME('Depth not 0'+yb))}if(Cb!=-1){Nb(Cb);Cb=-1}}}
function zs(a,b,c){var d,e,f,g,h,i,j,k;i={};d=Ic(wk(a.e,pf),22).b;FF(d,'init')||(i['csrfToken']=d,undefined);i['rpc']=b;if(c){for(f=(j=qE(c),j),g=0,h=f.length;g<h;++g){e=f[g];k=c[e];i[e]=k}}return i}
function no(a,b,c,d,e,f){var g;if(b==null&&c==null&&d==null){Ic(wk(a.a,td),6).l?qo(a):mp(e);return}g=ko(b,c,d,f);if(!Ic(wk(a.a,td),6).l){MD(g,'click',new Fo(e),false);MD($doc,'keydown',new Ho(e),false)}}
function or(a){this.c=new pr(this);this.b=a;nr(this,Ic(wk(a,td),6).d);this.d=Ic(wk(a,td),6).h;this.d=LD(this.d,'v-r=heartbeat');this.d=LD(this.d,jJ+(''+Ic(wk(a,td),6).k));No(Ic(wk(a,Ge),13),new ur(this))}
function oy(a,b,c,d,e){var f,g,h,i,j,k,l;f=false;for(i=0;i<c.length;i++){g=c[i];l=nE(g[0]);if(l==0){f=true;continue}k=new $wnd.Set;for(j=1;j<g.length;j++){k.add(g[j])}h=cw(fw(a,b,l),k,d,e);f=f|h}return f}
function Fn(a,b,c,d,e){var f,g,h;h=lp(b);f=new Xn(h);if(a.c.has(h)){!!c&&c.eb(f);return}if(Kn(h,c,a.b)){g=$doc.createElement(cJ);g.src=h;g.type=e;g.async=false;g.defer=d;Ln(g,new Yn(a),f);WD($doc.head,g)}}
function Nw(a,b,c,d){var e,f,g,h,i;if(!FF(d.substr(0,5),CJ)||FF('event.model.item',d)){return FF(d.substr(0,CJ.length),CJ)?(g=Tw(d),h=g(b,a),i={},i[XI]=oE(nE(h[XI])),i):Ow(c.a,d)}e=Tw(d);f=e(b,a);return f}
function Mq(a,b){if(a.b){Qq(a,(ar(),$q));if(Ic(wk(a.c,Ff),12).b){At(Ic(wk(a.c,Ff),12));if(Lp(b)){qk()&&($wnd.console.debug('Flush pending messages after PUSH reconnection.'),undefined);Es(Ic(wk(a.c,tf),16))}}}}
function Fb(){var a;if(yb<0){debugger;throw Ri(new ME('Negative entryDepth value at entry '+yb))}if(yb!=0){a=xb();if(a-Bb>2000){Bb=a;Cb=$wnd.setTimeout(Ob,10)}}if(yb++==0){Rb((Qb(),Pb));return true}return false}
function iq(a){var b,c,d;if(a.a>=a.b.length){debugger;throw Ri(new LE)}if(a.a==0){c=''+a.b.length+'|';b=4095-c.length;d=c+NF(a.b,0,$wnd.Math.min(a.b.length,b));a.a+=b}else{d=hq(a,a.a,a.a+4095);a.a+=4095}return d}
function Rq(a,b){var c;if(a.a==1){qk()&&bE($wnd.console,'Immediate reconnect attempt for '+b);Aq(a,b)}else{a.d=new Xq(a,b);gj(a.d,MA((c=Vu(Ic(wk(Ic(wk(a.c,Df),38).a,bg),8).e,9),KB(c,'reconnectInterval')),5000))}}
function Qr(a){var b,c,d,e;if(a.g.length==0){return false}e=-1;for(b=0;b<a.g.length;b++){c=Ic(a.g[b],56);if(Rr(a,Mr(c.a))){e=b;break}}if(e!=-1){d=Ic(a.g.splice(e,1)[0],56);Or(a,d.a);return true}else{return false}}
function mr(a){fj(a.c);if(a.a<0){qk()&&($wnd.console.debug('Heartbeat terminated, skipping request'),undefined);return}qk()&&($wnd.console.debug('Sending heartbeat request...'),undefined);UC(a.d,null,null,new rr(a))}
function np(c){return JSON.stringify(c,function(a,b){if(b instanceof Node){throw 'Message JsonObject contained a dom node reference which should not be sent to the server and can cause a cyclic dependecy.'}return b})}
function Gq(a,b){var c,d;c=b.status;qk()&&eE($wnd.console,'Heartbeat request returned '+c);if(c==403){lo(Ic(wk(a.c,Be),23),null);d=Ic(wk(a.c,Ge),13);d.b!=(cp(),bp)&&Oo(d,bp)}else if(c==404);else{Dq(a,(ar(),Zq),null)}}
function Uq(a,b){var c,d;c=b.b.status;qk()&&eE($wnd.console,'Server returned '+c+' for xhr');if(c==401){At(Ic(wk(a.c,Ff),12));lo(Ic(wk(a.c,Be),23),'');d=Ic(wk(a.c,Ge),13);d.b!=(cp(),bp)&&Oo(d,bp);return}else{Dq(a,(ar(),_q),b.a)}}
function fw(a,b,c){bw();var d,e,f;e=Oc(aw.get(a),$wnd.Map);if(e==null){e=new $wnd.Map;aw.set(a,e)}f=Oc(e.get(b),$wnd.Map);if(f==null){f=new $wnd.Map;e.set(b,f)}d=Ic(f.get(c),81);if(!d){d=new ew(a,b,c);f.set(c,d)}return d}
function Ds(a,b){if(a.b.a.length!=0){if(sJ in b){ik('Message not sent because already queued: '+lE(b))}else{nG(a.b,b);ik('Message not sent because other messages are pending. Added to the queue: '+lE(b))}return}nG(a.b,b);Fs(a,b)}
function ax(a){var b,c,d,e,f;d=Uu(a.e,2);d.b&&Jx(a.b);for(f=0;f<(_A(d.a),d.c.length);f++){c=Ic(d.c[f],7);e=Ic(wk(c.g.c,Wd),64);b=Xl(e,c.d);if(b){Yl(e,c.d);$u(c,b);$v(c)}else{b=$v(c);xA(a.b).appendChild(b)}}return uB(d,new Ry(a))}
function VC(b,c,d){var e,f;try{qj(b,new XC(d));b.open('GET',c,true);b.send(null)}catch(a){a=Qi(a);if(Sc(a,32)){e=a;qk()&&cE($wnd.console,e);nr(Ic(wk(d.a.a,_e),28),Ic(wk(d.a.a,td),6).d);f=e;jo(f.v());pj(b)}else throw Ri(a)}return b}
function yu(a,b){var c,d,e,f,g,h;if(!b){debugger;throw Ri(new LE)}for(d=(g=qE(b),g),e=0,f=d.length;e<f;++e){c=d[e];if(a.a.has(c)){debugger;throw Ri(new LE)}h=b[c];if(!(!!h&&kE(h)!=(xE(),tE))){debugger;throw Ri(new LE)}a.a.set(c,h)}}
function Mn(b){for(var c=0;c<$doc.styleSheets.length;c++){if($doc.styleSheets[c].href===b){var d=$doc.styleSheets[c];try{var e=d.cssRules;e===undefined&&(e=d.rules);if(e===null){return 1}return e.length}catch(a){return 1}}}return -1}
function dw(a){var b,c;if(a.f){kw(a.f);a.f=null}if(a.e){kw(a.e);a.e=null}b=Oc(aw.get(a.c),$wnd.Map);if(b==null){return}c=Oc(b.get(a.d),$wnd.Map);if(c==null){return}c.delete(a.j);if(c.size==0){b.delete(a.d);b.size==0&&aw.delete(a.c)}}
function Nn(b,c,d,e){try{var f=c.bb();if(!(f instanceof $wnd.Promise)){throw new Error('The expression "'+b+'" result is not a Promise.')}f.then(function(a){d.I()},function(a){console.error(a);e.I()})}catch(a){console.error(a);e.I()}}
function tv(a,b){var c;c=true;if(!b){qk()&&($wnd.console.warn(LJ),undefined);c=false}else if(K(b.g,a)){if(!K(b,qv(a,b.d))){qk()&&($wnd.console.warn(NJ),undefined);c=false}}else{qk()&&($wnd.console.warn(MJ),undefined);c=false}return c}
function fx(g,b,c){if(Fm(c)){g.Mb(b,c)}else if(Jm(c)){var d=g;try{var e=$wnd.customElements.whenDefined(c.localName);var f=new Promise(function(a){setTimeout(a,1000)});Promise.race([e,f]).then(function(){Fm(c)&&d.Mb(b,c)})}catch(a){}}}
function Ix(a,b,c){var d;d=_i(nz.prototype.cb,nz,[]);c.forEach(_i(rz.prototype.gb,rz,[d]));b.c.forEach(d);b.d.forEach(_i(tz.prototype.cb,tz,[]));a.forEach(_i(sy.prototype.gb,sy,[]));if(Uw==null){debugger;throw Ri(new LE)}Uw.delete(b.e)}
function Zi(a,b,c){var d=Xi,h;var e=d[a];var f=e instanceof Array?e[0]:null;if(e&&!f){_=e}else{_=(h=b&&b.prototype,!h&&(h=Xi[b]),aj(h));_.kc=c;!b&&(_.lc=cj);d[a]=_}for(var g=3;g<arguments.length;++g){arguments[g].prototype=_}f&&(_.jc=f)}
function um(a,b){var c,d,e,f,g,h,i,j;c=a.a;e=a.c;i=a.d.length;f=Ic(a.e,30).e;j=zm(f);if(!j){rk(YI+f.d+ZI);return}d=[];c.forEach(_i(jn.prototype.gb,jn,[d]));if(Fm(j.a)){g=Bm(j,f,null);if(g!=null){Mm(j.a,g,e,i,d);return}}h=Mc(b);uA(h,e,i,d)}
function WC(b,c,d,e,f){var g;try{qj(b,new XC(f));b.open('POST',c,true);b.setRequestHeader('Content-type',e);b.withCredentials=true;b.send(d)}catch(a){a=Qi(a);if(Sc(a,32)){g=a;qk()&&cE($wnd.console,g);f.mb(b,g);pj(b)}else throw Ri(a)}return b}
function py(a,b,c,d,e,f){var g,h,i,j,k,l,m,n,o,p,q;o=true;g=false;for(j=(q=qE(c),q),k=0,l=j.length;k<l;++k){i=j[k];p=c[i];n=kE(p)==(xE(),rE);if(!n&&!p){continue}o=false;m=!!d&&mE(d[i]);if(n&&m){h='on-'+b+':'+i;m=oy(a,h,p,e,f)}g=g|m}return o||g}
function qx(a,b){var c,d,e,f,g,h;f=b.b;if(a.b){Jx(f)}else{h=a.d;for(g=0;g<h.length;g++){e=Ic(h[g],7);d=e.a;if(!d){debugger;throw Ri(new ME("Can't find element to remove"))}xA(d).parentNode==f&&xA(f).removeChild(d)}}c=a.a;c.length==0||Ww(a.c,b,c)}
function cs(b){var c,d;if(b==null){return null}d=ln.lb();try{c=JSON.parse(b);ik('JSON parsing took '+(''+on(ln.lb()-d,3))+'ms');return c}catch(a){a=Qi(a);if(Sc(a,10)){qk()&&cE($wnd.console,'Unable to parse JSON: '+b);return null}else throw Ri(a)}}
function xv(a,b){var c;if(b.g!=a){debugger;throw Ri(new LE)}if(b.i){debugger;throw Ri(new ME("Can't re-register a node"))}c=b.d;if(a.a.has(c)){debugger;throw Ri(new ME('Node '+c+' is already registered'))}a.a.set(c,b);a.f&&em(Ic(wk(a.c,Yd),55),b)}
function eF(a){if(a.Zb()){var b=a.c;b.$b()?(a.i='['+b.h):!b.Zb()?(a.i='[L'+b.Xb()+';'):(a.i='['+b.Xb());a.b=b.Wb()+'[]';a.g=b.Yb()+'[]';return}var c=a.f;var d=a.d;d=d.split('/');a.i=hF('.',[c,hF('$',d)]);a.b=hF('.',[c,hF('.',d)]);a.g=d[d.length-1]}
function ym(a,b){var c,d,e;c=a;for(d=0;d<b.length;d++){e=b[d];c=xm(c,ad(jE(e)))}if(c){return c}else !c?qk()&&eE($wnd.console,"There is no element addressed by the path '"+b+"'"):qk()&&eE($wnd.console,'The node addressed by path '+b+$I);return null}
function Gp(a){var b,c;c=ip(Ic(wk(a.d,He),53),a.h);c=LD(c,'v-r=push');c=LD(c,jJ+(''+Ic(wk(a.d,td),6).k));b=Ic(wk(a.d,pf),22).h;b!=null&&(c=LD(c,'v-pushId='+b));qk()&&($wnd.console.debug('Establishing push connection'),undefined);a.c=c;a.e=Ip(a,c,a.a)}
function vC(){var a,b;if(rC){return}qC==null&&(qC=[]);sC==null&&(sC=[]);a=0;b=0;try{rC=true;while(a<qC.length||b<sC.length){while(a<qC.length){Ic(qC[a],18).fb();++a}if(b<sC.length){Ic(sC[b],18).fb();++b}}}finally{rC=false;qC.splice(0,a);sC.splice(0,b)}}
function nx(b,c,d){var e,f,g;if(!c){return -1}try{g=xA(Nc(c));while(g!=null){f=rv(b,g);if(f){return f.d}g=xA(g.parentNode)}}catch(a){a=Qi(a);if(Sc(a,10)){e=a;ik(YJ+c+', returned by an event data expression '+d+'. Error: '+e.v())}else throw Ri(a)}return -1}
function ju(a,b){var c,d,e;d=new pu(a);d.a=b;ou(d,ln.lb());c=np(b);e=UC(LD(LD(Ic(wk(a.a,td),6).h,'v-r=uidl'),jJ+(''+Ic(wk(a.a,td),6).k)),c,mJ,d);qk()&&bE($wnd.console,'Sending xhr message to server: '+c);a.b&&cD((!bk&&(bk=new dk),bk).a)&&gj(new mu(a,e),250)}
function Pw(f){var e='}p';Object.defineProperty(f,e,{value:function(a,b,c){var d=this[e].promises[a];if(d!==undefined){delete this[e].promises[a];b?d[0](c):d[1](Error('Something went wrong. Check server-side logs for more information.'))}}});f[e].promises=[]}
function _u(a){var b,c;if(qv(a.g,a.d)){debugger;throw Ri(new ME('Node should no longer be findable from the tree'))}if(a.i){debugger;throw Ri(new ME('Node is already unregistered'))}a.i=true;c=new Pu;b=oA(a.h);b.forEach(_i(gv.prototype.gb,gv,[c]));a.h.clear()}
function At(a){if(!a.b){throw Ri(new oF('endRequest called when no request is active'))}a.b=false;(Ic(wk(a.c,Ge),13).b==(cp(),ap)&&Ic(wk(a.c,Nf),44).b||Ic(wk(a.c,tf),16).g==1||Ic(wk(a.c,tf),16).b.a.length!=0)&&Es(Ic(wk(a.c,tf),16));gk('connected');Bt(a,new It)}
function Zv(a){Xv();var b,c,d;b=null;for(c=0;c<Wv.length;c++){d=Ic(Wv[c],313);if(d.Kb(a)){if(b){debugger;throw Ri(new ME('Found two strategies for the node : '+M(b)+', '+M(d)))}b=d}}if(!b){throw Ri(new nF('State node has no suitable binder strategy'))}return b}
function cI(a,b){var c,d,e,f;a=a;c=new WF;f=0;d=0;while(d<b.length){e=a.indexOf('%s',f);if(e==-1){break}UF(c,a.substr(f,e-f));TF(c,b[d++]);f=e+2}UF(c,a.substr(f));if(d<b.length){c.a+=' [';TF(c,b[d++]);while(d<b.length){c.a+=', ';TF(c,b[d++])}c.a+=']'}return c.a}
function Kb(g){Db();function h(a,b,c,d,e){if(!e){e=a+' ('+b+':'+c;d&&(e+=':'+d);e+=')'}var f=ib(e);Mb(f,false)}
;function i(a){var b=a.onerror;if(b&&!g){return}a.onerror=function(){h.apply(this,arguments);b&&b.apply(this,arguments);return false}}
i($wnd);i(window)}
function KA(a,b){var c,d,e;c=(_A(a.a),a.c?(_A(a.a),a.h):null);(_c(b)===_c(c)||b!=null&&K(b,c))&&(a.d=false);if(!((_c(b)===_c(c)||b!=null&&K(b,c))&&(_A(a.a),a.c))&&!a.d){d=a.e.e;e=d.g;if(sv(e,d)){JA(a,b);return new mB(a,e)}else{YA(a.a,new qB(a,c,c));vC()}}return GA}
function MC(b,c){var d,e,f,g,h,i;try{++b.b;h=(e=OC(b,c.L()),e);d=null;for(i=0;i<h.length;i++){g=h[i];try{c.K(g)}catch(a){a=Qi(a);if(Sc(a,10)){f=a;d==null&&(d=[]);d[d.length]=f}else throw Ri(a)}}if(d!=null){throw Ri(new mb(Ic(d[0],5)))}}finally{--b.b;b.b==0&&PC(b)}}
function Sv(a,b){var c,d,e,f,g;if(a.f){debugger;throw Ri(new ME('Previous tree change processing has not completed'))}try{Cv(a,true);f=Qv(a,b);e=b.length;for(d=0;d<e;d++){c=b[d];if(!FF('attach',c[LI])){g=Rv(a,c);!!g&&f.add(g)}}return f}finally{Cv(a,false);a.d=false}}
function $w(a){var b,c,d,e,f;c=Vu(a.e,20);f=Ic(LA(KB(c,WJ)),7);if(f){b=new $wnd.Function(VJ,"if ( element.shadowRoot ) { return element.shadowRoot; } else { return element.attachShadow({'mode' : 'open'});}");e=Nc(b.call(null,a.b));!f.a&&$u(f,e);d=new wy(f,e,a.a);ax(d)}}
function jx(a){var b,c,d;d=Pc(LA(KB(Vu(a,0),'tag')));if(d==null){debugger;throw Ri(new ME('New child must have a tag'))}b=Pc(LA(KB(Vu(a,0),'namespace')));if(b!=null){return $D($doc,b,d)}else if(a.f){c=a.f.a.namespaceURI;if(c!=null){return $D($doc,c,d)}}return ZD($doc,d)}
function tm(a,b,c){var d,e,f,g,h,i;f=b.f;if(f.c.has(1)){h=Cm(b);if(h==null){return null}c.push(h)}else if(f.c.has(16)){e=Am(b);if(e==null){return null}c.push(e)}if(!K(f,a)){return tm(a,f,c)}g=new VF;i='';for(d=c.length-1;d>=0;d--){UF((g.a+=i,g),Pc(c[d]));i='.'}return g.a}
function Hp(a,b){if(!b){debugger;throw Ri(new LE)}switch(a.f.c){case 0:a.f=(oq(),nq);a.b=b;break;case 1:qk()&&($wnd.console.debug('Closing push connection'),undefined);Tp(a.c);a.f=(oq(),mq);b.C();break;case 2:case 3:throw Ri(new oF('Can not disconnect more than once'));}}
function Rp(a,b){var c,d,e,f,g;if(Vp()){Op(b.a)}else{f=(Ic(wk(a.d,td),6).f?(e='VAADIN/static/push/vaadinPush-min.js'):(e='VAADIN/static/push/vaadinPush.js'),e);qk()&&bE($wnd.console,'Loading '+f);d=Ic(wk(a.d,te),54);g=Ic(wk(a.d,td),6).h+f;c=new eq(a,f,b);Fn(d,g,c,false,RI)}}
function Nr(a,b){var c,d,e,f,g;qk()&&($wnd.console.debug('Handling dependencies'),undefined);c=new $wnd.Map;for(e=(ID(),Dc(xc(Hh,1),sI,46,0,[GD,FD,HD])),f=0,g=e.length;f<g;++f){d=e[f];pE(b,d.b!=null?d.b:''+d.c)&&c.set(d,b[d.b!=null?d.b:''+d.c])}c.size==0||$k(Ic(wk(a.i,Td),74),c)}
function Tv(a,b){var c,d,e,f,g;f=Ov(a,b);if(UI in a){e=a[UI];g=e;SA(f,g)}else if('nodeValue' in a){d=ad(nE(a['nodeValue']));c=qv(b.g,d);if(!c){debugger;throw Ri(new LE)}c.f=b;SA(f,c)}else{debugger;throw Ri(new ME('Change should have either value or nodeValue property: '+np(a)))}}
function jI(a){var b,c,d,e;b=0;d=a.length;e=d-4;c=0;while(c<e){b=(aI(c+3,a.length),a.charCodeAt(c+3)+(aI(c+2,a.length),31*(a.charCodeAt(c+2)+(aI(c+1,a.length),31*(a.charCodeAt(c+1)+(aI(c,a.length),31*(a.charCodeAt(c)+31*b)))))));b=b|0;c+=4}while(c<d){b=b*31+EF(a,c++)}b=b|0;return b}
function Pp(a,b){a.g=b[lJ];switch(a.f.c){case 0:a.f=(oq(),kq);Mq(Ic(wk(a.d,Re),20),a);break;case 2:a.f=(oq(),kq);if(!a.b){debugger;throw Ri(new LE)}Hp(a,a.b);break;case 1:break;default:throw Ri(new oF('Got onOpen event when connection state is '+a.f+'. This should never happen.'));}}
function $b(b,c){var d,e,f,g;if(!b){debugger;throw Ri(new ME('tasks'))}for(e=0,f=b.length;e<f;e++){if(b.length!=f){debugger;throw Ri(new ME(zI+b.length+' != '+f))}g=b[e];try{g[1]?g[0].B()&&(c=Zb(c,g)):g[0].C()}catch(a){a=Qi(a);if(Sc(a,5)){d=a;Db();Mb(d,true)}else throw Ri(a)}}return c}
function vp(){rp();if(pp||!($wnd.Vaadin.Flow!=null)){qk()&&($wnd.console.warn('vaadinBootstrap.js was not loaded, skipping vaadin application configuration.'),undefined);return}pp=true;$wnd.performance&&typeof $wnd.performance.now==pI?(ln=new rn):(ln=new pn);mn();yp((Db(),$moduleName))}
function Cu(a,b){var c,d,e,f,g,h,i,j,k,l;l=Ic(wk(a.a,bg),8);g=b.length-1;i=zc(mi,sI,2,g+1,6,1);j=[];e=new $wnd.Map;for(d=0;d<g;d++){h=b[d];f=IC(l,h);j.push(f);i[d]='$'+d;k=HC(l,h);if(k){if(Fu(k)||!Eu(a,k)){Qu(k,new Ju(a,b));return}e.set(f,k)}}c=b[b.length-1];i[i.length-1]=c;Du(a,i,j,e)}
function Px(a,b,c){var d,e;if(!b.b){debugger;throw Ri(new ME(XJ+b.e.d+$I))}e=Vu(b.e,0);d=b.b;if(ny(b.e)&&uv(b.e)){Ix(a,b,c);tC(new Iy(d,e,b))}else if(uv(b.e)){SA(KB(e,HJ),(PE(),true));Lx(d,e)}else{Mx(d,e);ry(Ic(wk(e.e.g.c,td),6),d,ZJ,(PE(),OE));Em(d)&&(d.style.display='none',undefined)}}
function W(d,b){if(b instanceof Object){try{b.__java$exception=d;if(navigator.userAgent.toLowerCase().indexOf(uI)!=-1&&$doc.documentMode<9){return}var c=d;Object.defineProperties(b,{cause:{get:function(){var a=c.u();return a&&a.s()}},suppressed:{get:function(){return c.t()}}})}catch(a){}}}
function cw(a,b,c,d){var e;e=b.has('leading')&&!a.e&&!a.f;if(!e&&(b.has(SJ)||b.has(TJ))){a.b=c;a.a=d;!b.has(TJ)&&(!a.e||a.i==null)&&(a.i=d);a.g=null;a.h=null}if(b.has('leading')||b.has(SJ)){!a.e&&(a.e=new ow(a));kw(a.e);lw(a.e,ad(a.j))}if(!a.f&&b.has(TJ)){a.f=new qw(a,b);mw(a.f,ad(a.j))}return e}
function cD(a){!a.a&&(a.c.indexOf('gecko')!=-1&&a.c.indexOf('webkit')==-1&&a.c.indexOf(qK)==-1?(a.a=(jD(),eD)):a.c.indexOf(' presto/')!=-1?(a.a=(jD(),fD)):a.c.indexOf(qK)!=-1?(a.a=(jD(),gD)):a.c.indexOf(qK)==-1&&a.c.indexOf('applewebkit')!=-1?(a.a=(jD(),iD)):(a.a=(jD(),hD)));return a.a==(jD(),iD)}
function kE(a){var b;if(a===null){return xE(),tE}b=typeof a;if(FF('string',b)){return xE(),wE}else if(FF('number',b)){return xE(),uE}else if(FF('boolean',b)){return xE(),sE}else if(FF(nI,b)){return Object.prototype.toString.apply(a)===oI?(xE(),rE):(xE(),vE)}debugger;throw Ri(new ME('Unknown Json Type'))}
function Ln(a,b,c){a.onload=mI(function(){a.onload=null;a.onerror=null;a.onreadystatechange=null;b.eb(c)});a.onerror=mI(function(){a.onload=null;a.onerror=null;a.onreadystatechange=null;b.db(c)});a.onreadystatechange=function(){('loaded'===a.readyState||'complete'===a.readyState)&&a.onload(arguments[0])}}
function zq(a){var b,c,d,e;NA((c=Vu(Ic(wk(Ic(wk(a.c,Df),38).a,bg),8).e,9),KB(c,qJ)))!=null&&fk('reconnectingText',NA((d=Vu(Ic(wk(Ic(wk(a.c,Df),38).a,bg),8).e,9),KB(d,qJ))));NA((e=Vu(Ic(wk(Ic(wk(a.c,Df),38).a,bg),8).e,9),KB(e,rJ)))!=null&&fk('offlineText',NA((b=Vu(Ic(wk(Ic(wk(a.c,Df),38).a,bg),8).e,9),KB(b,rJ))))}
function Ox(a,b){var c,d,e,f,g,h;c=a.f;d=b.style;_A(a.a);if(a.c){h=(_A(a.a),Pc(a.h));e=false;if(h.indexOf('!important')!=-1){f=ZD($doc,b.tagName);g=f.style;g.cssText=c+': '+h+';';if(FF('important',QD(f.style,c))){TD(d,c,RD(f.style,c),'important');e=true}}e||(d.setProperty(c,h),undefined)}else{d.removeProperty(c)}}
function Jj(f,b,c){var d=f;var e=$wnd.Vaadin.Flow.clients[b];e.isActive=mI(function(){return d.S()});e.getVersionInfo=mI(function(a){return {'flow':c}});e.debug=mI(function(){var a=d.a;return a._().Gb().Db()});e.getNodeInfo=mI(function(a){return {element:d.O(a),javaClass:d.Q(a),hiddenByServer:d.T(a),styles:d.P(a)}})}
function Nx(a,b){var c,d,e,f,g;d=a.f;_A(a.a);if(a.c){f=(_A(a.a),a.h);c=b[d];e=a.g;g=QE(Jc(LG(KG(e,new Ny(f)),(PE(),true))));g&&(c===undefined||!(_c(c)===_c(f)||c!=null&&K(c,f)||c==f))&&wC(null,new Py(b,d,f))}else Object.prototype.hasOwnProperty.call(b,d)?(delete b[d],undefined):(b[d]=null,undefined);a.g=(JG(),JG(),IG)}
function xm(a,b){var c,d,e,f,g;c=xA(a).children;e=-1;for(f=0;f<c.length;f++){g=c.item(f);if(!g){debugger;throw Ri(new ME('Unexpected element type in the collection of children. DomElement::getChildren is supposed to return Element chidren only, but got '+Qc(g)))}d=g;GF('style',d.tagName)||++e;if(e==b){return g}}return null}
function Es(a){var b;if(Ic(wk(a.e,Ge),13).b!=(cp(),ap)){qk()&&($wnd.console.warn('Trying to send RPC from not yet started or stopped application'),undefined);return}b=Ic(wk(a.e,Ff),12).b;b||!!a.c&&!Kp(a.c)?qk()&&bE($wnd.console,'Postpone sending invocations to server because of '+(b?'active request':'PUSH not active')):ws(a)}
function Ww(a,b,c){var d,e,f,g,h,i,j,k;j=Uu(b.e,2);if(a==0){d=Xx(j,b.b)}else if(a<=(_A(j.a),j.c.length)&&a>0){k=px(a,b);d=!k?null:xA(k.a).nextSibling}else{d=null}for(g=0;g<c.length;g++){i=c[g];h=Ic(i,7);f=Ic(wk(h.g.c,Wd),64);e=Xl(f,h.d);if(e){Yl(f,h.d);$u(h,e);$v(h)}else{e=$v(h);xA(b.b).insertBefore(e,d)}d=xA(e).nextSibling}}
function Dn(a,b,c,d){var e,f;d!=null&&a.a.set(d,b);e=new Xn(b);if(a.c.has(b)){!!c&&c.eb(e);return}if(Kn(b,c,a.b)){f=$doc.createElement('style');f.textContent=b;f.type='text/css';d!=null&&(f.setAttribute(eJ,d),undefined);bD((!bk&&(bk=new dk),bk).a)||ek()||aD((!bk&&(bk=new dk),bk).a)?gj(new Sn(a,b,e),5000):Ln(f,new Un(a),e);wn(f)}}
function ck(){if(navigator&&'maxTouchPoints' in navigator){return navigator.maxTouchPoints>0}else if(navigator&&'msMaxTouchPoints' in navigator){return navigator.msMaxTouchPoints>0}else{var b=$wnd.matchMedia&&matchMedia(JI);if(b&&b.media===JI){return !!b.matches}}try{$doc.createEvent('TouchEvent');return true}catch(a){return false}}
function ox(b,c){var d,e,f,g,h;if(!c){return -1}try{h=xA(Nc(c));f=[];f.push(b);for(e=0;e<f.length;e++){g=Ic(f[e],7);if(h.isSameNode(g.a)){return g.d}wB(Uu(g,2),_i(Pz.prototype.gb,Pz,[f]))}h=xA(h.parentNode);return Zx(f,h)}catch(a){a=Qi(a);if(Sc(a,10)){d=a;ik(YJ+c+', which was the event.target. Error: '+d.v())}else throw Ri(a)}return -1}
function Lr(a){if(a.j.size==0){rk('Gave up waiting for message '+(a.f+1)+' from the server')}else{qk()&&($wnd.console.warn('WARNING: reponse handling was never resumed, forcibly removing locks...'),undefined);a.j.clear()}if(!Qr(a)&&a.g.length!=0){mA(a.g);As(Ic(wk(a.i,tf),16));Ic(wk(a.i,Ff),12).b&&At(Ic(wk(a.i,Ff),12));Cs(Ic(wk(a.i,tf),16))}}
function Bn(a){var b,c,d,e,f,g,h,i,j,k,l;c=$doc;k=c.getElementsByTagName(cJ);for(g=0;g<k.length;g++){d=k.item(g);l=d.src;l!=null&&l.length!=0&&a.c.add(l)}i=c.getElementsByTagName('link');for(f=0;f<i.length;f++){h=i.item(f);j=h.rel;e=h.href;if((GF(dJ,j)||GF('import',j))&&e!=null&&e.length!=0){a.c.add(e);b=h.getAttribute(eJ);b!=null&&a.a.set(b,e)}}}
function Wk(a,b,c,d){var e,f;f=Ic(wk(a.a,te),54);e=c==(ID(),GD);switch(b.c){case 0:if(e){return new Dl(f,d)}return new Fl(f,d);case 1:if(e){return new hl(f)}return new Hl(f);case 2:if(e){throw Ri(new nF('Inline load mode is not supported for JsModule.'))}return new Jl(f);case 3:return new ml;default:throw Ri(new nF('Unknown dependency type '+b));}}
function Lw(n,k,l,m){Kw();n[k]=mI(function(c){var d=Object.getPrototypeOf(this);d[k]!==undefined&&d[k].apply(this,arguments);var e=c||$wnd.event;var f=l.Eb();var g=Mw(this,e,k,l);g===null&&(g=Array.prototype.slice.call(arguments));var h;var i=-1;if(m){var j=this['}p'].promises;i=j.length;h=new Promise(function(a,b){j[i]=[a,b]})}f.Hb(l,k,g,i);return h})}
function Vr(b,c){var d,e,f,g;f=Ic(wk(b.i,bg),8);g=Sv(f,c['changes']);if(!Ic(wk(b.i,td),6).f){try{d=Tu(f.e);qk()&&($wnd.console.debug('StateTree after applying changes:'),undefined);qk()&&bE($wnd.console,d)}catch(a){a=Qi(a);if(Sc(a,10)){e=a;qk()&&($wnd.console.error('Failed to log state tree'),undefined);qk()&&cE($wnd.console,e)}else throw Ri(a)}}uC(new ss(g))}
function qo(a){var b,c;if(a.b){qk()&&($wnd.console.debug('Web components resynchronization already in progress'),undefined);return}a.b=true;b=Ic(wk(a.a,td),6).h+'web-component/web-component-bootstrap.js';nr(Ic(wk(a.a,_e),28),-1);gt(LA(KB(Vu(Ic(wk(Ic(wk(a.a,Bf),37).a,bg),8).e,5),fJ)))&&Js(Ic(wk(a.a,tf),16),false);c=LD(b,'v-r=webcomponent-resync');TC(c,new wo(a))}
function Fs(a,b){sJ in b||(b[sJ]=oE(Ic(wk(a.e,pf),22).f),undefined);wJ in b||(b[wJ]=oE(a.a++),undefined);Ic(wk(a.e,Ff),12).b||Ct(Ic(wk(a.e,Ff),12));if(!!a.c&&Lp(a.c)){qk()&&($wnd.console.debug('send PUSH'),undefined);a.d=b;Qp(a.c,b)}else{qk()&&($wnd.console.debug('send XHR'),undefined);Bs(a);ju(Ic(wk(a.e,Tf),62),b);a.f=new Ms(a,b);gj(a.f,Ic(wk(a.e,td),6).e+500)}}
function LF(a){var b,c,d,e,f,g,h,i;b=new RegExp('\\.','g');h=zc(mi,sI,2,0,6,1);c=0;i=a;e=null;while(true){g=b.exec(i);if(g==null||i==''){h[c]=i;break}else{f=g.index;h[c]=i.substr(0,f);i=NF(i,f+g[0].length,i.length);b.lastIndex=0;if(e==i){h[c]=i.substr(0,1);i=i.substr(1)}e=i;++c}}if(a.length>0){d=h.length;while(d>0&&h[d-1]==''){--d}d<h.length&&(h.length=d)}return h}
function Gn(a,b,c,d){var e,f,g;g=lp(b);d!=null&&a.a.set(d,g);e=new Xn(g);if(a.c.has(g)){!!c&&c.eb(e);return}if(Kn(g,c,a.b)){f=$doc.createElement('link');f.rel=dJ;f.type='text/css';f.href=g;d!=null&&(f.setAttribute(eJ,d),undefined);if(bD((!bk&&(bk=new dk),bk).a)||ek()){ac((Qb(),new On(a,g,e)),10)}else{Ln(f,new _n(a,g),e);aD((!bk&&(bk=new dk),bk).a)&&gj(new Qn(a,g,e),5000)}wn(f)}}
function Vk(a,b,c){var d,e,f,g,h,i;g=new $wnd.Map;for(f=0;f<c.length;f++){e=c[f];i=(AD(),$o((ED(),DD),e[LI]));d='id' in e?e['id']:null;h=Wk(a,i,b,d);if(i==wD){_k(e['url'],h)}else{switch(b.c){case 1:_k(ip(Ic(wk(a.a,He),53),e['url']),h);break;case 2:g.set(ip(Ic(wk(a.a,He),53),e['url']),h);break;case 0:_k(e['contents'],h);break;default:throw Ri(new nF('Unknown load mode = '+b));}}}return g}
function Qx(a,b,c,d){var e,f,g,h,i;i=Uu(a,24);for(f=0;f<(_A(i.a),i.c.length);f++){e=Ic(i.c[f],7);if(e==b){continue}if(FF((h=Vu(b,0),lE(Nc(LA(KB(h,IJ))))),(g=Vu(e,0),lE(Nc(LA(KB(g,IJ))))))){rk('There is already a request to attach element addressed by the '+d+". The existing request's node id='"+e.d+"'. Cannot attach the same element twice.");Av(b.g,a,b.d,e.d,c);return false}}return true}
function wc(a,b){var c;switch(yc(a)){case 6:return Xc(b);case 7:return Uc(b);case 8:return Tc(b);case 3:return Array.isArray(b)&&(c=yc(b),!(c>=14&&c<=16));case 11:return b!=null&&Yc(b);case 12:return b!=null&&(typeof b===nI||typeof b==pI);case 0:return Hc(b,a.__elementTypeId$);case 2:return Zc(b)&&!(b.lc===cj);case 1:return Zc(b)&&!(b.lc===cj)||Hc(b,a.__elementTypeId$);default:return true;}}
function Ll(b,c){if(document.body.$&&document.body.$.hasOwnProperty&&document.body.$.hasOwnProperty(c)){return document.body.$[c]}else if(b.shadowRoot){return b.shadowRoot.getElementById(c)}else if(b.getElementById){return b.getElementById(c)}else if(c&&c.match('^[a-zA-Z0-9-_]*$')){return b.querySelector('#'+c)}else{return Array.from(b.querySelectorAll('[id]')).find(function(a){return a.id==c})}}
function Qp(a,b){var c,d;if(!Lp(a)){throw Ri(new oF('This server to client push connection should not be used to send client to server messages'))}if(a.f==(oq(),kq)){d=np(b);ik('Sending push ('+a.g+') message to server: '+d);if(FF(a.g,kJ)){c=new jq(d);while(c.a<c.b.length){Jp(a.e,iq(c))}}else{Jp(a.e,d)}return}if(a.f==lq){Lq(Ic(wk(a.d,Re),20),b);return}throw Ri(new oF('Can not push after disconnecting'))}
function Aq(a,b){if(Ic(wk(a.c,Ge),13).b!=(cp(),ap)){qk()&&($wnd.console.warn('Trying to reconnect after application has been stopped. Giving up'),undefined);return}if(b){qk()&&($wnd.console.debug('Trying to re-establish server connection (UIDL)...'),undefined);Bt(Ic(wk(a.c,Ff),12),new vt(a.a))}else{qk()&&($wnd.console.debug('Trying to re-establish server connection (heartbeat)...'),undefined);mr(Ic(wk(a.c,_e),28))}}
function Dq(a,b,c){var d;if(Ic(wk(a.c,Ge),13).b!=(cp(),ap)){return}gk('reconnecting');if(a.b){if(br(b,a.b)){qk()&&eE($wnd.console,'Now reconnecting because of '+b+' failure');a.b=b}}else{a.b=b;qk()&&eE($wnd.console,'Reconnecting because of '+b+' failure')}if(a.b!=b){return}++a.a;ik('Reconnect attempt '+a.a+' for '+b);a.a>=MA((d=Vu(Ic(wk(Ic(wk(a.c,Df),38).a,bg),8).e,9),KB(d,'reconnectAttempts')),10000)?Bq(a):Rq(a,c)}
function Nl(a,b,c,d){var e,f,g,h,i,j,k,l,m,n,o,p,q,r;j=null;g=xA(a.a).childNodes;o=new $wnd.Map;e=!b;i=-1;for(m=0;m<g.length;m++){q=Nc(g[m]);o.set(q,tF(m));K(q,b)&&(e=true);if(e&&!!q&&GF(c,q.tagName)){j=q;i=m;break}}if(!j){zv(a.g,a,d,-1,c,-1)}else{p=Uu(a,2);k=null;f=0;for(l=0;l<(_A(p.a),p.c.length);l++){r=Ic(p.c[l],7);h=r.a;n=Ic(o.get(h),27);!!n&&n.a<i&&++f;if(K(h,j)){k=tF(r.d);break}}k=Ol(a,d,j,k);zv(a.g,a,d,k.a,j.tagName,f)}}
function Hs(a,b,c){if(b==a.a){!!a.d&&ad(nE(a.d[wJ]))<b&&(a.d=null);if(a.b.a.length!=0){if(nE(Nc(oG(a.b,0))[wJ])+1==b){qG(a.b);Bs(a)}}return}if(c){ik('Forced update of clientId to '+a.a);a.a=b;a.b.a=zc(hi,sI,1,0,5,1);Bs(a);return}if(b>a.a){a.a==0?qk()&&bE($wnd.console,'Updating client-to-server id to '+b+' based on server'):rk('Server expects next client-to-server id to be '+b+' but we were going to use '+a.a+'. Will use '+b+'.');a.a=b}}
function Uv(a,b){var c,d,e,f,g,h,i,j,k,l,m,n,o,p,q;n=ad(nE(a[PJ]));m=Uu(b,n);i=ad(nE(a['index']));QJ in a?(o=ad(nE(a[QJ]))):(o=0);if('add' in a){d=a['add'];c=(j=Mc(d),j);yB(m,i,o,c)}else if('addNodes' in a){e=a['addNodes'];l=e.length;c=[];q=b.g;for(h=0;h<l;h++){g=ad(nE(e[h]));f=(k=g,Ic(q.a.get(k),7));if(!f){debugger;throw Ri(new ME('No child node found with id '+g))}f.f=b;c[h]=f}yB(m,i,o,c)}else{p=m.c.splice(i,o);YA(m.a,new EA(m,i,p,[],false))}}
function Rv(a,b){var c,d,e,f,g,h,i;g=b[LI];e=ad(nE(b[DJ]));d=(c=e,Ic(a.a.get(c),7));if(!d&&a.d){return d}if(!d){debugger;throw Ri(new ME('No attached node found'))}switch(g){case 'empty':Pv(b,d);break;case 'splice':Uv(b,d);break;case 'put':Tv(b,d);break;case QJ:f=Ov(b,d);RA(f);break;case 'detach':Dv(d.g,d);d.f=null;break;case 'clear':h=ad(nE(b[PJ]));i=Uu(d,h);vB(i);break;default:{debugger;throw Ri(new ME('Unsupported change type: '+g))}}return d}
function sm(a){var b,c,d,e,f;if(Sc(a,7)){e=Ic(a,7);d=null;if(e.c.has(1)){d=Vu(e,1)}else if(e.c.has(16)){d=Uu(e,16)}else if(e.c.has(23)){return sm(KB(Vu(e,23),UI))}if(!d){debugger;throw Ri(new ME("Don't know how to convert node without map or list features"))}b=d.Sb(new Om);if(!!b&&!(XI in b)){b[XI]=oE(e.d);Km(e,d,b)}return b}else if(Sc(a,17)){f=Ic(a,17);if(f.e.d==23){return sm((_A(f.a),f.h))}else{c={};c[f.f]=sm((_A(f.a),f.h));return c}}else{return a}}
function Ip(f,c,d){var e=f;d.url=c;d.onOpen=mI(function(a){e.vb(a)});d.onReopen=mI(function(a){e.xb(a)});d.onMessage=mI(function(a){e.ub(a)});d.onError=mI(function(a){e.tb(a)});d.onTransportFailure=mI(function(a,b){e.yb(a)});d.onClose=mI(function(a){e.sb(a)});d.onReconnect=mI(function(a,b){e.wb(a,b)});d.onClientTimeout=mI(function(a){e.rb(a)});d.headers={'X-Vaadin-LastSeenServerSyncId':function(){return e.qb()}};return $wnd.vaadinPush.atmosphere.subscribe(d)}
function Bu(h,e,f){var g={};g.getNode=mI(function(a){var b=e.get(a);if(b==null){throw new ReferenceError('There is no a StateNode for the given argument.')}return b});g.$appId=h.Cb().replace(/-\d+$/,'');g.registry=h.a;g.attachExistingElement=mI(function(a,b,c,d){Nl(g.getNode(a),b,c,d)});g.populateModelProperties=mI(function(a,b){Ql(g.getNode(a),b)});g.registerUpdatableModelProperties=mI(function(a,b){Sl(g.getNode(a),b)});g.stopApplication=mI(function(){f.I()});return g}
function tx(a,b,c){var d,e,f,g,h,i,j,k,l,m,n,o,p;p=Ic(c.e.get(Xg),79);if(!p||!p.a.has(a)){return}k=LF(a);g=c;f=null;e=0;j=k.length;for(m=k,n=0,o=m.length;n<o;++n){l=m[n];d=Vu(g,1);if(!MB(d,l)&&e<j-1){qk()&&bE($wnd.console,"Ignoring property change for property '"+a+"' which isn't defined from server");return}f=KB(d,l);Sc((_A(f.a),f.h),7)&&(g=(_A(f.a),Ic(f.h,7)));++e}if(Sc((_A(f.a),f.h),7)){h=(_A(f.a),Ic(f.h,7));i=Nc(b.a[b.b]);if(!(XI in i)||h.c.has(16)){return}}KA(f,b.a[b.b]).I()}
function ry(a,b,c,d){var e,f,g,h,i;if(d==null||Xc(d)){op(b,c,Pc(d))}else{f=d;if((xE(),vE)==kE(f)){g=f;if(!('uri' in g)){debugger;throw Ri(new ME("Implementation error: JsonObject is recieved as an attribute value for '"+c+"' but it has no "+'uri'+' key'))}i=g['uri'];if(a.l&&!i.match(/^(?:[a-zA-Z]+:)?\/\//)){e=a.h;e=(h='/'.length,FF(e.substr(e.length-h,h),'/')?e:e+'/');xA(b).setAttribute(c,e+(''+i))}else{i==null?xA(b).removeAttribute(c):xA(b).setAttribute(c,i)}}else{op(b,c,bj(d))}}}
function ZC(a){!a.b&&(a.c.indexOf(gK)!=-1||a.c.indexOf(hK)!=-1||a.c.indexOf(iK)!=-1||a.c.indexOf(jK)!=-1?(a.b=(tD(),nD)):(a.c.indexOf(kK)!=-1||a.c.indexOf(lK)!=-1||a.c.indexOf(mK)!=-1)&&a.c.indexOf(nK)==-1?(a.b=(tD(),mD)):a.c.indexOf(oK)!=-1||a.c.indexOf(nK)!=-1?(a.b=(tD(),qD)):a.c.indexOf(uI)!=-1&&a.c.indexOf(pK)==-1||a.c.indexOf(qK)!=-1?(a.b=(tD(),pD)):a.c.indexOf(rK)!=-1||a.c.indexOf(sK)!=-1?(a.b=(tD(),oD)):a.c.indexOf(tK)!=-1?(a.b=(tD(),rD)):(a.b=(tD(),sD)));return a.b==(tD(),mD)}
function $C(a){!a.b&&(a.c.indexOf(gK)!=-1||a.c.indexOf(hK)!=-1||a.c.indexOf(iK)!=-1||a.c.indexOf(jK)!=-1?(a.b=(tD(),nD)):(a.c.indexOf(kK)!=-1||a.c.indexOf(lK)!=-1||a.c.indexOf(mK)!=-1)&&a.c.indexOf(nK)==-1?(a.b=(tD(),mD)):a.c.indexOf(oK)!=-1||a.c.indexOf(nK)!=-1?(a.b=(tD(),qD)):a.c.indexOf(uI)!=-1&&a.c.indexOf(pK)==-1||a.c.indexOf(qK)!=-1?(a.b=(tD(),pD)):a.c.indexOf(rK)!=-1||a.c.indexOf(sK)!=-1?(a.b=(tD(),oD)):a.c.indexOf(tK)!=-1?(a.b=(tD(),rD)):(a.b=(tD(),sD)));return a.b==(tD(),nD)}
function _C(a){!a.b&&(a.c.indexOf(gK)!=-1||a.c.indexOf(hK)!=-1||a.c.indexOf(iK)!=-1||a.c.indexOf(jK)!=-1?(a.b=(tD(),nD)):(a.c.indexOf(kK)!=-1||a.c.indexOf(lK)!=-1||a.c.indexOf(mK)!=-1)&&a.c.indexOf(nK)==-1?(a.b=(tD(),mD)):a.c.indexOf(oK)!=-1||a.c.indexOf(nK)!=-1?(a.b=(tD(),qD)):a.c.indexOf(uI)!=-1&&a.c.indexOf(pK)==-1||a.c.indexOf(qK)!=-1?(a.b=(tD(),pD)):a.c.indexOf(rK)!=-1||a.c.indexOf(sK)!=-1?(a.b=(tD(),oD)):a.c.indexOf(tK)!=-1?(a.b=(tD(),rD)):(a.b=(tD(),sD)));return a.b==(tD(),pD)}
function aD(a){!a.b&&(a.c.indexOf(gK)!=-1||a.c.indexOf(hK)!=-1||a.c.indexOf(iK)!=-1||a.c.indexOf(jK)!=-1?(a.b=(tD(),nD)):(a.c.indexOf(kK)!=-1||a.c.indexOf(lK)!=-1||a.c.indexOf(mK)!=-1)&&a.c.indexOf(nK)==-1?(a.b=(tD(),mD)):a.c.indexOf(oK)!=-1||a.c.indexOf(nK)!=-1?(a.b=(tD(),qD)):a.c.indexOf(uI)!=-1&&a.c.indexOf(pK)==-1||a.c.indexOf(qK)!=-1?(a.b=(tD(),pD)):a.c.indexOf(rK)!=-1||a.c.indexOf(sK)!=-1?(a.b=(tD(),oD)):a.c.indexOf(tK)!=-1?(a.b=(tD(),rD)):(a.b=(tD(),sD)));return a.b==(tD(),qD)}
function bD(a){!a.b&&(a.c.indexOf(gK)!=-1||a.c.indexOf(hK)!=-1||a.c.indexOf(iK)!=-1||a.c.indexOf(jK)!=-1?(a.b=(tD(),nD)):(a.c.indexOf(kK)!=-1||a.c.indexOf(lK)!=-1||a.c.indexOf(mK)!=-1)&&a.c.indexOf(nK)==-1?(a.b=(tD(),mD)):a.c.indexOf(oK)!=-1||a.c.indexOf(nK)!=-1?(a.b=(tD(),qD)):a.c.indexOf(uI)!=-1&&a.c.indexOf(pK)==-1||a.c.indexOf(qK)!=-1?(a.b=(tD(),pD)):a.c.indexOf(rK)!=-1||a.c.indexOf(sK)!=-1?(a.b=(tD(),oD)):a.c.indexOf(tK)!=-1?(a.b=(tD(),rD)):(a.b=(tD(),sD)));return a.b==(tD(),rD)}
function Mj(a){var b,c,d,e,f,g,h,i;this.a=new Hk(this,a);T((Ic(wk(this.a,Be),23),new Vj));f=Ic(wk(this.a,bg),8).e;Ss(f,Ic(wk(this.a,xf),75));new xC(new rt(Ic(wk(this.a,Re),20)));h=Vu(f,10);wr(h,'first',new zr,450);wr(h,'second',new Br,1500);wr(h,'third',new Dr,5000);i=KB(h,'theme');IA(i,new Fr);c=$doc.body;$u(f,c);Yv(f,c);ik('Starting application '+a.a);b=a.a;b=KF(b,'');d=a.f;e=a.g;Kj(this,b,d,e,a.c);if(!d){g=a.i;Jj(this,b,g);qk()&&bE($wnd.console,'Vaadin application servlet version: '+g)}gk('loading')}
function Wb(a){var b,c,d,e,f,g,h;if(!a){debugger;throw Ri(new ME('tasks'))}f=a.length;if(f==0){return null}b=false;c=new R;while(xb()-c.a<16){d=false;for(e=0;e<f;e++){if(a.length!=f){debugger;throw Ri(new ME(zI+a.length+' != '+f))}h=a[e];if(!h){continue}d=true;if(!h[1]){debugger;throw Ri(new ME('Found a non-repeating Task'))}if(!h[0].B()){a[e]=null;b=true}}if(!d){break}}if(b){g=[];for(e=0;e<f;e++){!!a[e]&&(g[g.length]=a[e],undefined)}if(g.length>=f){debugger;throw Ri(new LE)}return g.length==0?null:g}else{return a}}
function Pr(a,b){var c,d;if(!b){throw Ri(new nF('The json to handle cannot be null'))}if((sJ in b?b[sJ]:-1)==-1){c=b['meta'];(!c||!(zJ in c))&&qk()&&($wnd.console.error("Response didn't contain a server id. Please verify that the server is up-to-date and that the response data has not been modified in transmission."),undefined)}d=Ic(wk(a.i,Ge),13).b;if(d==(cp(),_o)){d=ap;Oo(Ic(wk(a.i,Ge),13),d)}d==ap?Or(a,b):qk()&&($wnd.console.warn('Ignored received message because application has already been stopped'),undefined)}
function $x(a,b,c,d,e){var f,g,h;h=qv(e,ad(a));if(!h.c.has(1)){return}if(!Vx(h,b)){debugger;throw Ri(new ME('Host element is not a parent of the node whose property has changed. This is an implementation error. Most likely it means that there are several StateTrees on the same page (might be possible with portlets) and the target StateTree should not be passed into the method as an argument but somehow detected from the host element. Another option is that host element is calculated incorrectly.'))}f=Vu(h,1);g=KB(f,c);KA(g,d).I()}
function xp(a,b){var c,d,e;c=Fp(b,'serviceUrl');Gj(a,Dp(b,'webComponentMode'));if(c==null){Cj(a,lp('.'));wj(a,lp(Fp(b,hJ)))}else{a.h=c;wj(a,lp(c+(''+Fp(b,hJ))))}Fj(a,Ep(b,'v-uiId').a);yj(a,Ep(b,'heartbeatInterval').a);zj(a,Ep(b,'maxMessageSuspendTimeout').a);Dj(a,(d=b.getConfig(iJ),d?d.vaadinVersion:null));e=b.getConfig(iJ);Cp();Ej(a,b.getConfig('sessExpMsg'));Aj(a,!Dp(b,'debug'));Bj(a,Dp(b,'requestTiming'));xj(a,b.getConfig('webcomponents'));Dp(b,'devToolsEnabled');Fp(b,'liveReloadUrl');Fp(b,'liveReloadBackend');Fp(b,'springBootLiveReloadPort')}
function qc(a,b){var c,d,e,f,g,h,i,j,k;j='';if(b.length==0){return a.G(CI,AI,-1,-1)}k=OF(b);FF(k.substr(0,3),'at ')&&(k=k.substr(3));k=k.replace(/\[.*?\]/g,'');g=k.indexOf('(');if(g==-1){g=k.indexOf('@');if(g==-1){j=k;k=''}else{j=OF(k.substr(g+1));k=OF(k.substr(0,g))}}else{c=k.indexOf(')',g);j=k.substr(g+1,c-(g+1));k=OF(k.substr(0,g))}g=HF(k,PF(46));g!=-1&&(k=k.substr(g+1));(k.length==0||FF(k,'Anonymous function'))&&(k=AI);h=IF(j,PF(58));e=JF(j,PF(58),h-1);i=-1;d=-1;f=CI;if(h!=-1&&e!=-1){f=j.substr(0,e);i=kc(j.substr(e+1,h-(e+1)));d=kc(j.substr(h+1))}return a.G(f,k,i,d)}
function Yw(a,b){var c,d,e,f,g,h;g=(e=Vu(b,0),Nc(LA(KB(e,IJ))));h=g[LI];if(FF('inMemory',h)){$v(b);return}if(!a.b){debugger;throw Ri(new ME('Unexpected html node. The node is supposed to be a custom element'))}if(FF('@id',h)){if(om(a.b)){pm(a.b,new _y(a,b,g));return}else if(!(typeof a.b.$!=yI)){rm(a.b,new bz(a,b,g));return}sx(a,b,g,true)}else if(FF(JJ,h)){if(!a.b.root){rm(a.b,new dz(a,b,g));return}ux(a,b,g,true)}else if(FF('@name',h)){f=g[IJ];c="name='"+f+"'";d=new fz(a,f);if(!fy(d.a,d.b)){tn(a.b,f,new hz(a,b,d,f,c));return}lx(a,b,true,d,f,c)}else{debugger;throw Ri(new ME('Unexpected payload type '+h))}}
function ko(a,b,c,d){var e,f,g,h,i,j,k;h=$doc;j=h.createElement('div');j.setAttribute('popover','manual');j.className='v-system-error';if(a!=null){f=h.createElement('div');f.className='caption';f.textContent=a;j.appendChild(f);qk()&&cE($wnd.console,a)}if(b!=null){i=h.createElement('div');i.className='message';i.textContent=b;j.appendChild(i);qk()&&cE($wnd.console,b)}if(c!=null){g=h.createElement('div');g.className='details';g.textContent=c;j.appendChild(g);qk()&&cE($wnd.console,c)}if(d!=null){e=h.querySelector(d);!!e&&VD(Nc(LG(PG(e.shadowRoot),e)),j)}else{WD(h.body,j)}k=j&&j.showPopover;typeof k===pI&&k.call(j);return j}
function Hk(a,b){var c;this.a=new $wnd.Map;this.b=new $wnd.Map;zk(this,yd,a);zk(this,td,b);zk(this,te,new In(this));zk(this,He,new jp(this));zk(this,Td,new bl(this));zk(this,Be,new ro(this));Ak(this,Ge,new Ik);zk(this,bg,new Ev(this));zk(this,Ff,new Dt(this));zk(this,pf,new _r(this));zk(this,tf,new Ks(this));zk(this,Nf,new bu(this));zk(this,Jf,new Vt(this));zk(this,Yf,new Hu(this));Ak(this,Uf,new Kk);Ak(this,Wd,new Mk);zk(this,Yd,new gm(this));c=new Ok(this);zk(this,_e,new or(c.a));this.b.set(_e,c);zk(this,Re,new Wq(this));zk(this,Tf,new ku(this));zk(this,Bf,new ft(this));zk(this,Df,new qt(this));zk(this,xf,new Ys(this))}
function wb(b){var c=function(a){return typeof a!=yI};var d=function(a){return a.replace(/\r\n/g,'')};if(c(b.outerHTML))return d(b.outerHTML);c(b.innerHTML)&&b.cloneNode&&$doc.createElement('div').appendChild(b.cloneNode(true)).innerHTML;if(c(b.nodeType)&&b.nodeType==3){return "'"+b.data.replace(/ /g,'\u25AB').replace(/\u00A0/,'\u25AA')+"'"}if(typeof c(b.htmlText)&&b.collapse){var e=b.htmlText;if(e){return 'IETextRange ['+d(e)+']'}else{var f=b.duplicate();f.pasteHTML('|');var g='IETextRange '+d(b.parentElement().outerHTML);f.moveStart('character',-1);f.pasteHTML('');return g}}return b.toString?b.toString():'[JavaScriptObject]'}
function Km(a,b,c){var d,e,f;f=[];if(a.c.has(1)){if(!Sc(b,45)){debugger;throw Ri(new ME('Received an inconsistent NodeFeature for a node that has a ELEMENT_PROPERTIES feature. It should be NodeMap, but it is: '+b))}e=Ic(b,45);JB(e,_i(cn.prototype.cb,cn,[f,c]));f.push(IB(e,new $m(f,c)))}else if(a.c.has(16)){if(!Sc(b,30)){debugger;throw Ri(new ME('Received an inconsistent NodeFeature for a node that has a TEMPLATE_MODELLIST feature. It should be NodeList, but it is: '+b))}d=Ic(b,30);f.push(uB(d,new Um(c)))}if(f.length==0){debugger;throw Ri(new ME('Node should have ELEMENT_PROPERTIES or TEMPLATE_MODELLIST feature'))}f.push(Ru(a,new Ym(f)))}
function IC(a,b){var c,d,e,f,g,h,i,j,k,l,m,n,o;if(kE(b)==(xE(),vE)){f=b;l=f['@v-node'];if(l){if(kE(l)!=uE){throw Ri(new nF(dK+kE(l)+eK+lE(b)))}k=ad(jE(l));e=(g=k,Ic(a.a.get(g),7)).a;return e}m=f['@v-return'];if(m){if(kE(m)!=rE){throw Ri(new nF('@v-return value must be an array, got '+kE(m)+eK+lE(b)))}c=m;if(c.length<2){throw Ri(new nF('@v-return array must have at least 2 elements, got '+c.length+eK+lE(b)))}n=ad(nE(c[0]));d=ad(nE(c[1]));return EC(n,d,Ic(wk(a.c,Jf),33))}for(h=(o=qE(f),o),i=0,j=h.length;i<j;++i){g=h[i];if(FF(g.substr(0,3),'@v-')){throw Ri(new nF("Unsupported @v type '"+g+"' in "+lE(b)))}}return GC(a,f)}else return kE(b)==rE?FC(a,b):b}
function ws(a){var b,c,d,e;if(a.d){pk('Sending pending push message '+lE(a.d));c=a.d;a.d=null;Ct(Ic(wk(a.e,Ff),12));Fs(a,c);return}else if(a.b.a.length!=0){qk()&&($wnd.console.debug('Sending queued messages to server'),undefined);!!a.f&&Bs(a);Fs(a,Nc(oG(a.b,0)));return}e=Ic(wk(a.e,Nf),44);if(e.c.length==0&&a.g!=1){return}d=e.c;e.c=[];e.b=false;e.a=Yt;if(d.length==0&&a.g!=1){qk()&&($wnd.console.warn('All RPCs filtered out, not sending anything to the server'),undefined);return}b={};if(a.g==1){a.g=2;qk()&&($wnd.console.warn('Resynchronizing from server'),undefined);a.b.a=zc(hi,sI,1,0,5,1);Bs(a);b[tJ]=Object(true)}gk('loading');Ct(Ic(wk(a.e,Ff),12));Ds(a,zs(a,d,b))}
function Rx(a,b,c,d,e){var f,g,h,i,j,k,l,m,n,o;l=e.e;o=Pc(LA(KB(Vu(b,0),'tag')));h=false;if(!a){h=true;qk()&&eE($wnd.console,_J+d+" is not found. The requested tag name is '"+o+"'")}else if(!(!!a&&GF(o,a.tagName))){h=true;rk(_J+d+" has the wrong tag name '"+a.tagName+"', the requested tag name is '"+o+"'")}if(h){Av(l.g,l,b.d,-1,c);return false}if(!l.c.has(20)){return true}k=Vu(l,20);m=Ic(LA(KB(k,WJ)),7);if(!m){return true}j=Uu(m,2);g=null;for(i=0;i<(_A(j.a),j.c.length);i++){n=Ic(j.c[i],7);f=n.a;if(K(f,a)){g=tF(n.d);break}}if(g){qk()&&eE($wnd.console,_J+d+" has been already attached previously via the node id='"+g+"'");Av(l.g,l,b.d,g.a,c);return false}return true}
function Du(b,c,d,e){var f,g,h,i,j,k,l,m,n;if(c.length!=d.length+1){debugger;throw Ri(new LE)}try{j=new ($wnd.Function.bind.apply($wnd.Function,[null].concat(c)));j.apply(Bu(b,e,new Nu(b)),d)}catch(a){a=Qi(a);if(Sc(a,10)){i=a;jk(new sk(i));qk()&&($wnd.console.error('Exception is thrown during JavaScript execution. Stacktrace will be dumped separately.'),undefined);if(!Ic(wk(b.a,td),6).f){g=new XF('[');h='';for(l=c,m=0,n=l.length;m<n;++m){k=l[m];UF((g.a+=h,g),k);h=', '}g.a+=']';f=g.a;aI(0,f.length);f.charCodeAt(0)==91&&(f=f.substr(1));EF(f,f.length-1)==93&&(f=NF(f,0,f.length-1));qk()&&cE($wnd.console,"The error has occurred in the JS code: '"+f+"'")}}else throw Ri(a)}}
function _w(a,b,c,d){var e,f,g,h,i,j,k;g=uv(b);i=Pc(LA(KB(Vu(b,0),'tag')));if(!(i==null||GF(c.tagName,i))){debugger;throw Ri(new ME("Element tag name is '"+c.tagName+"', but the required tag name is "+Pc(LA(KB(Vu(b,0),'tag')))))}Uw==null&&(Uw=nA());if(Uw.has(b)){return}Uw.set(b,(PE(),true));f=new wy(b,c,d);e=[];h=[];if(g){h.push(cx(f));h.push(Dw(new Nz(f),f.e,17,false));h.push((j=Vu(f.e,4),JB(j,_i(vz.prototype.cb,vz,[f])),IB(j,new xz(f))));h.push(hx(f));h.push(ax(f));h.push(gx(f));h.push(bx(c,b));h.push(ex(12,new yy(c),kx(e),b));h.push(ex(3,new Ay(c),kx(e),b));h.push(ex(1,new Xy(c),kx(e),b));fx(a,b,c);h.push(Ru(b,new pz(h,f,e)))}else{Zw(b,c)}h.push(ix(h,f,e));k=new xy(b);b.e.set(kg,k);uC(new Jz(b))}
function Kj(k,e,f,g,h){var i=k;var j={};j.isActive=mI(function(){return i.S()});j.getByNodeId=mI(function(a){return i.O(a)});j.getNodeId=mI(function(a){return i.R(a)});j.getUIId=mI(function(){var a=i.a.W();return a.M()});j.addDomBindingListener=mI(function(a,b){i.N(a,b)});j.productionMode=f;j.poll=mI(function(){var a=i.a.Y();a.zb()});j.connectWebComponent=mI(function(a){var b=i.a;var c=b.Z();var d=b._().Gb().d;c.Ab(d,'connect-web-component',a)});g&&(j.getProfilingData=mI(function(){var a=i.a.X();var b=[a.e,a.l];null!=a.k?(b=b.concat(a.k)):(b=b.concat(-1,-1));b[b.length]=a.a;return b}));j.resolveUri=mI(function(a){var b=i.a.ab();return b.pb(a)});j.sendEventMessage=mI(function(a,b,c){var d=i.a.Z();d.Ab(a,b,c)});j.initializing=false;j.exportedWebComponents=h;$wnd.Vaadin.Flow.clients[e]=j}
function Wr(a,b,c,d){var e,f,g,h,i,j,k,l,m;if(!((sJ in b?b[sJ]:-1)==-1||(sJ in b?b[sJ]:-1)==a.f)){debugger;throw Ri(new LE)}try{k=xb();i=b;if('constants' in i){e=Ic(wk(a.i,Uf),63);f=i['constants'];yu(e,f)}'changes' in i&&Vr(a,i);AJ in i&&Xr(a,i[AJ]);uJ in i&&uC(new ms(a,i));ik('handleUIDLMessage: '+(xb()-k)+' ms');vC();j=b['meta'];if(j){m=Ic(wk(a.i,Ge),13).b;if(zJ in j){if(m!=(cp(),bp)){Oo(Ic(wk(a.i,Ge),13),bp);_b((Qb(),new qs(a)),250)}}else if('appError' in j&&m!=(cp(),bp)){g=j['appError'];no(Ic(wk(a.i,Be),23),g['caption'],g['message'],g['details'],g['url'],g['querySelector']);Oo(Ic(wk(a.i,Ge),13),(cp(),bp))}}a.e=ad(xb()-d);a.l+=a.e;if(!a.d){a.d=true;h=bs();if(h!=0){l=ad(xb()-h);qk()&&bE($wnd.console,'First response processed '+l+' ms after fetchStart')}a.a=as()}}finally{ik(' Processing time was '+(''+a.e)+'ms');Sr(b)&&At(Ic(wk(a.i,Ff),12));$r(a,c)}}
function Sp(a){var b,c,d,e;this.f=(oq(),lq);this.d=a;No(Ic(wk(a,Ge),13),new rq(this));this.a={transport:kJ,maxStreamingLength:1000000,fallbackTransport:'long-polling',contentType:mJ,reconnectInterval:5000,withCredentials:true,maxWebsocketErrorRetries:12,timeout:-1,maxReconnectOnClose:10000000,trackMessageLength:true,enableProtocol:true,handleOnlineOffline:false,executeCallbackBeforeReconnect:true,messageDelimiter:String.fromCharCode(124)};this.a['logLevel']='debug';ct(Ic(wk(this.d,Bf),37)).forEach(_i(vq.prototype.cb,vq,[this]));c=dt(Ic(wk(this.d,Bf),37));if(c==null||OF(c).length==0||FF('/',c)){this.h=nJ;d=Ic(wk(a,td),6).h;if(!FF(d,'.')){e='/'.length;FF(d.substr(d.length-e,e),'/')||(d+='/');this.h=d+(''+this.h)}}else{b=Ic(wk(a,td),6).b;e='/'.length;FF(b.substr(b.length-e,e),'/')&&FF(c.substr(0,1),'/')&&(c=c.substr(1));this.h=b+(''+c)+nJ}Rp(this,new xq(this))}
function pv(a,b){if(a.b==null){a.b=new $wnd.Map;a.b.set(tF(0),'elementData');a.b.set(tF(1),'elementProperties');a.b.set(tF(2),'elementChildren');a.b.set(tF(3),'elementAttributes');a.b.set(tF(4),'elementListeners');a.b.set(tF(5),'pushConfiguration');a.b.set(tF(6),'pushConfigurationParameters');a.b.set(tF(7),'textNode');a.b.set(tF(8),'pollConfiguration');a.b.set(tF(9),'reconnectDialogConfiguration');a.b.set(tF(10),'loadingIndicatorConfiguration');a.b.set(tF(11),'classList');a.b.set(tF(12),'elementStyleProperties');a.b.set(tF(15),'componentMapping');a.b.set(tF(16),'modelList');a.b.set(tF(17),'polymerServerEventHandlers');a.b.set(tF(18),'polymerEventListenerMap');a.b.set(tF(19),'clientDelegateHandlers');a.b.set(tF(20),'shadowRootData');a.b.set(tF(21),'shadowRootHost');a.b.set(tF(22),'attachExistingElementFeature');a.b.set(tF(24),'virtualChildrenList');a.b.set(tF(23),'basicTypeValue')}return a.b.has(tF(b))?Pc(a.b.get(tF(b))):'Unknown node feature: '+b}
function rx(a,b){var c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u,v,w,A,B,C,D,F,G;if(!b){debugger;throw Ri(new LE)}f=b.b;t=b.e;if(!f){debugger;throw Ri(new ME('Cannot handle DOM event for a Node'))}D=a.type;s=Vu(t,4);e=Ic(wk(t.g.c,Uf),63);i=Pc(LA(KB(s,D)));if(i==null){debugger;throw Ri(new LE)}if(!xu(e,i)){debugger;throw Ri(new LE)}j=Nc(wu(e,i));p=(A=qE(j),A);B=new $wnd.Set;p.length==0?(g=null):(g={});for(l=p,m=0,n=l.length;m<n;++m){k=l[m];if(FF(k.substr(0,1),'}')){u=k.substr(1);B.add(u)}else if(FF(k,']')){C=ox(t,a.target);g[']']=Object(C)}else if(FF(k.substr(0,1),']')){r=k.substr(1);h=Yx(r);o=h(a,f);C=nx(t.g,o,r);g[k]=Object(C)}else{h=Yx(k);o=h(a,f);g[k]=o}}B.forEach(_i(Dz.prototype.gb,Dz,[t,f]));d=new $wnd.Map;B.forEach(_i(Fz.prototype.gb,Fz,[d,b]));v=new Hz(t,D,g);w=py(f,D,j,g,v,d);if(w){c=false;q=B.size==0;q&&(c=pG((bw(),F=new sG,G=_i(sw.prototype.cb,sw,[F]),aw.forEach(G),F),v,0)!=-1);if(!c){rA(d).forEach(_i(uy.prototype.gb,uy,[]));qy(v.b,v.c,v.a,null)}}}
function Or(a,b){var c,d,e,f,g,h,i,j,k,l,m,n;j=sJ in b?b[sJ]:-1;e=tJ in b;if(!e&&Ic(wk(a.i,tf),16).g==2){g=b;if(uJ in g){d=g[uJ];for(f=0;f<d.length;f++){c=d[f];if(c.length>0&&FF('window.location.reload();',c[0])){qk()&&($wnd.console.warn('Executing forced page reload while a resync request is ongoing.'),undefined);$wnd.location.reload();return}}}qk()&&($wnd.console.warn('Queueing message from the server as a resync request is ongoing.'),undefined);a.g.push(new js(b));return}Ic(wk(a.i,tf),16).g=0;if(e&&!Rr(a,j)){ik('Received resync message with id '+j+' while waiting for '+(a.f+1));a.f=j-1;Yr(a)}i=a.j.size!=0;if(i||!Rr(a,j)){if(i){qk()&&($wnd.console.debug('Postponing UIDL handling due to lock...'),undefined)}else{if(j<=a.f){rk(vJ+j+' but have already seen '+a.f+'. Ignoring it');Sr(b)&&At(Ic(wk(a.i,Ff),12));return}ik(vJ+j+' but expected '+(a.f+1)+'. Postponing handling until the missing message(s) have been received')}a.g.push(new js(b));if(!a.c.f){m=Ic(wk(a.i,td),6).e;gj(a.c,m)}return}tJ in b&&wv(Ic(wk(a.i,bg),8));l=xb();h=new I;a.j.add(h);qk()&&($wnd.console.debug('Handling message from server'),undefined);Bt(Ic(wk(a.i,Ff),12),new Lt);if(wJ in b){k=b[wJ];Hs(Ic(wk(a.i,tf),16),k,tJ in b)}j!=-1&&(a.f=j);if('redirect' in b){n=b['redirect']['url'];qk()&&bE($wnd.console,'redirecting to '+n);mp(n);return}xJ in b&&(a.b=b[xJ]);yJ in b&&(a.h=b[yJ]);Nr(a,b);a.d||al(Ic(wk(a.i,Td),74));'timings' in b&&(a.k=b['timings']);gl(new ds);gl(new ks(a,b,h,l))}
var nI='object',oI='[object Array]',pI='function',qI='java.lang',rI='com.google.gwt.core.client',sI={3:1},tI='__noinit__',uI='msie',vI={3:1,10:1,9:1,5:1},wI='null',xI='com.google.gwt.core.client.impl',yI='undefined',zI='Working array length changed ',AI='anonymous',BI='fnStack',CI='Unknown',DI='must be non-negative',EI='must be positive',FI='com.google.web.bindery.event.shared',GI='com.vaadin.client',HI='visible',II={61:1},JI='(pointer:coarse)',KI={26:1},LI='type',MI={51:1},NI={25:1},OI={15:1},QI={29:1},RI='text/javascript',SI='constructor',TI='properties',UI='value',VI='com.vaadin.client.flow.reactive',WI={18:1},XI='nodeId',YI='Root node for node ',ZI=' could not be found',$I=' is not an Element',_I={68:1},aJ={83:1},bJ={50:1},cJ='script',dJ='stylesheet',eJ='data-id',fJ='pushMode',gJ='com.vaadin.flow.shared',hJ='contextRootUrl',iJ='versionInfo',jJ='v-uiId=',kJ='websocket',lJ='transport',mJ='application/json; charset=UTF-8',nJ='VAADIN/push',oJ='com.vaadin.client.communication',pJ={93:1},qJ='dialogText',rJ='dialogTextGaveUp',sJ='syncId',tJ='resynchronize',uJ='execute',vJ='Received message with server id ',wJ='clientId',xJ='Vaadin-Security-Key',yJ='Vaadin-Push-ID',zJ='sessionExpired',AJ='stylesheetRemovals',BJ='pushServletMapping',CJ='event',DJ='node',EJ='attachReqId',FJ='attachAssignedId',GJ='com.vaadin.client.flow',HJ='bound',IJ='payload',JJ='subTemplate',KJ={49:1},LJ='Node is null',MJ='Node is not created for this tree',NJ='Node id is not registered with this tree',OJ='$server',PJ='feat',QJ='remove',RJ='com.vaadin.client.flow.binding',SJ='trailing',TJ='intermediate',UJ='elemental.util',VJ='element',WJ='shadowRoot',XJ='The HTML node for the StateNode with id=',YJ='An error occurred when Flow tried to find a state node matching the element ',ZJ='hidden',$J='styleDisplay',_J='Element addressed by the ',aK='dom-repeat',bK='dom-change',cK='com.vaadin.client.flow.nodefeature',dK='@v-node value must be a number, got ',eK=' in ',fK='com.vaadin.client.gwt.com.google.web.bindery.event.shared',gK=' edge/',hK=' edg/',iK=' edga/',jK=' edgios/',kK=' chrome/',lK=' crios/',mK=' headlesschrome/',nK=' opr/',oK='opera',pK='webtv',qK='trident/',rK=' firefox/',sK='fxios/',tK='safari',uK='com.vaadin.flow.shared.ui',vK='java.io',wK='java.util',xK='java.util.stream',yK='Index: ',zK=', Size: ',AK='user.agent';var _,Xi,Si,Pi=-1;$wnd.goog=$wnd.goog||{};$wnd.goog.global=$wnd.goog.global||$wnd;Yi();Zi(1,null,{},I);_.m=function J(a){return H(this,a)};_.n=function L(){return this.jc};_.o=function N(){return eI(this)};_.p=function P(){var a;return UE(M(this))+'@'+(a=O(this)>>>0,a.toString(16))};_.equals=function(a){return this.m(a)};_.hashCode=function(){return this.o()};_.toString=function(){return this.p()};var Ec,Fc,Gc;Zi(70,1,{70:1},VE);_.Vb=function WE(a){var b;b=new VE;b.e=4;a>1?(b.c=aF(this,a-1)):(b.c=this);return b};_.Wb=function _E(){TE(this);return this.b};_.Xb=function bF(){return UE(this)};_.Yb=function dF(){TE(this);return this.g};_.Zb=function fF(){return (this.e&4)!=0};_.$b=function gF(){return (this.e&1)!=0};_.p=function jF(){return ((this.e&2)!=0?'interface ':(this.e&1)!=0?'':'class ')+(TE(this),this.i)};_.e=0;var SE=1;var hi=YE(qI,'Object',1);var Xh=YE(qI,'Class',70);Zi(97,1,{},R);_.a=0;var cd=YE(rI,'Duration',97);var S=null;Zi(5,1,{3:1,5:1});_.r=function bb(a){return new Error(a)};_.s=function db(){return this.e};_.t=function eb(){var a;return a=Ic(AH(CH(DG((this.i==null&&(this.i=zc(oi,sI,5,0,0,1)),this.i)),new aG),jH(new uH,new sH,new wH,Dc(xc(Di,1),sI,52,0,[(nH(),lH)]))),94),rG(a,zc(hi,sI,1,a.a.length,5,1))};_.u=function fb(){return this.f};_.v=function gb(){return this.g};_.w=function hb(){Z(this,cb(this.r($(this,this.g))));hc(this)};_.p=function jb(){return $(this,this.v())};_.e=tI;_.j=true;var oi=YE(qI,'Throwable',5);Zi(10,5,{3:1,10:1,5:1});var _h=YE(qI,'Exception',10);Zi(9,10,vI,mb);var ii=YE(qI,'RuntimeException',9);Zi(60,9,vI,nb);var ei=YE(qI,'JsException',60);Zi(121,60,vI);var gd=YE(xI,'JavaScriptExceptionBase',121);Zi(32,121,{32:1,3:1,10:1,9:1,5:1},rb);_.v=function ub(){return qb(this),this.c};_.A=function vb(){return _c(this.b)===_c(ob)?null:this.b};var ob;var dd=YE(rI,'JavaScriptException',32);var ed=YE(rI,'JavaScriptObject$',0);Zi(315,1,{});var fd=YE(rI,'Scheduler',315);var yb=0,zb=false,Ab,Bb=0,Cb=-1;Zi(131,315,{});_.e=false;_.i=false;var Pb;var kd=YE(xI,'SchedulerImpl',131);Zi(132,1,{},bc);_.B=function cc(){this.a.e=true;Tb(this.a);this.a.e=false;return this.a.i=Ub(this.a)};var hd=YE(xI,'SchedulerImpl/Flusher',132);Zi(133,1,{},dc);_.B=function ec(){this.a.e&&_b(this.a.f,1);return this.a.i};var jd=YE(xI,'SchedulerImpl/Rescuer',133);var fc;Zi(326,1,{});var od=YE(xI,'StackTraceCreator/Collector',326);Zi(122,326,{},nc);_.D=function oc(a){var b={},j;var c=[];a[BI]=c;var d=arguments.callee.caller;while(d){var e=(gc(),d.name||(d.name=jc(d.toString())));c.push(e);var f=':'+e;var g=b[f];if(g){var h,i;for(h=0,i=g.length;h<i;h++){if(g[h]===d){return}}}(g||(b[f]=[])).push(d);d=d.caller}};_.F=function pc(a){var b,c,d,e;d=(gc(),a&&a[BI]?a[BI]:[]);c=d.length;e=zc(ji,sI,31,c,0,1);for(b=0;b<c;b++){e[b]=new AF(d[b],null,-1)}return e};var ld=YE(xI,'StackTraceCreator/CollectorLegacy',122);Zi(327,326,{});_.D=function rc(a){};_.G=function sc(a,b,c,d){return new AF(b,a+'@'+d,c<0?-1:c)};_.F=function tc(a){var b,c,d,e,f,g;e=lc(a);f=zc(ji,sI,31,0,0,1);b=0;d=e.length;if(d==0){return f}g=qc(this,e[0]);FF(g.d,AI)||(f[b++]=g);for(c=1;c<d;c++){f[b++]=qc(this,e[c])}return f};var nd=YE(xI,'StackTraceCreator/CollectorModern',327);Zi(123,327,{},uc);_.G=function vc(a,b,c,d){return new AF(b,a,-1)};var md=YE(xI,'StackTraceCreator/CollectorModernNoSourceMap',123);Zi(39,1,{});_.H=function mj(a){if(a!=this.d){return}this.e||(this.f=null);this.I()};_.d=0;_.e=false;_.f=null;var pd=YE('com.google.gwt.user.client','Timer',39);Zi(333,1,{});_.p=function rj(){return 'An event type'};var sd=YE(FI,'Event',333);Zi(87,1,{},tj);_.o=function uj(){return this.a};_.p=function vj(){return 'Event type'};_.a=0;var sj=0;var qd=YE(FI,'Event/Type',87);Zi(334,1,{});var rd=YE(FI,'EventBus',334);Zi(6,1,{6:1},Hj);_.M=function Ij(){return this.k};_.d=0;_.e=0;_.f=false;_.g=false;_.k=0;_.l=false;var td=YE(GI,'ApplicationConfiguration',6);Zi(95,1,{95:1},Mj);_.N=function Nj(a,b){Qu(qv(Ic(wk(this.a,bg),8),a),new _j(a,b))};_.O=function Oj(a){var b;b=qv(Ic(wk(this.a,bg),8),a);return !b?null:b.a};_.P=function Pj(a){var b,c,d,e,f;e=qv(Ic(wk(this.a,bg),8),a);f={};if(e){d=LB(Vu(e,12));for(b=0;b<d.length;b++){c=Pc(d[b]);f[c]=LA(KB(Vu(e,12),c))}}return f};_.Q=function Qj(a){var b;b=qv(Ic(wk(this.a,bg),8),a);return !b?null:NA(KB(Vu(b,0),'jc'))};_.R=function Rj(a){var b;b=rv(Ic(wk(this.a,bg),8),xA(a));return !b?-1:b.d};_.S=function Sj(){var a;return Ic(wk(this.a,pf),22).a==0||Ic(wk(this.a,Ff),12).b||(a=(Qb(),Pb),!!a&&a.a!=0)};_.T=function Tj(a){var b,c;b=qv(Ic(wk(this.a,bg),8),a);c=!b||OA(KB(Vu(b,0),HI));return !c};var yd=YE(GI,'ApplicationConnection',95);Zi(148,1,{},Vj);_.q=function Wj(a){var b;b=a;Sc(b,4)?jo('Assertion error: '+b.v()):jo(b.v())};var ud=YE(GI,'ApplicationConnection/0methodref$handleError$Type',148);Zi(149,1,{},Xj);_.U=function Yj(a){Gs(Ic(wk(this.a.a,tf),16))};var vd=YE(GI,'ApplicationConnection/lambda$1$Type',149);Zi(150,1,{},Zj);_.U=function $j(a){$wnd.location.reload()};var wd=YE(GI,'ApplicationConnection/lambda$2$Type',150);Zi(151,1,II,_j);_.V=function ak(a){return Uj(this.b,this.a,a)};_.b=0;var xd=YE(GI,'ApplicationConnection/lambda$3$Type',151);Zi(40,1,{},dk);var bk;var zd=YE(GI,'BrowserInfo',40);var Ad=$E(GI,'Command');var hk=false;Zi(130,1,{},sk);_.I=function tk(){nk(this.a)};var Bd=YE(GI,'Console/lambda$0$Type',130);Zi(129,1,{},uk);_.q=function vk(a){ok(this.a)};var Cd=YE(GI,'Console/lambda$1$Type',129);Zi(155,1,{});_.W=function Bk(){return Ic(wk(this,td),6)};_.X=function Ck(){return Ic(wk(this,pf),22)};_.Y=function Dk(){return Ic(wk(this,xf),75)};_.Z=function Ek(){return Ic(wk(this,Jf),33)};_._=function Fk(){return Ic(wk(this,bg),8)};_.ab=function Gk(){return Ic(wk(this,He),53)};var he=YE(GI,'Registry',155);Zi(156,155,{},Hk);var Hd=YE(GI,'DefaultRegistry',156);Zi(157,1,KI,Ik);_.bb=function Jk(){return new Po};var Dd=YE(GI,'DefaultRegistry/0methodref$ctor$Type',157);Zi(158,1,KI,Kk);_.bb=function Lk(){return new zu};var Ed=YE(GI,'DefaultRegistry/1methodref$ctor$Type',158);Zi(159,1,KI,Mk);_.bb=function Nk(){return new Zl};var Fd=YE(GI,'DefaultRegistry/2methodref$ctor$Type',159);Zi(160,1,KI,Ok);_.bb=function Pk(){return new or(this.a)};var Gd=YE(GI,'DefaultRegistry/lambda$3$Type',160);Zi(74,1,{74:1},bl);var Qk,Rk,Sk,Tk=0;var Td=YE(GI,'DependencyLoader',74);Zi(205,1,MI,hl);_.cb=function il(a,b){Cn(this.a,a,Ic(b,25))};var Id=YE(GI,'DependencyLoader/0methodref$inlineScript$Type',205);var ne=$E(GI,'ResourceLoader/ResourceLoadListener');Zi(199,1,NI,jl);_.db=function kl(a){kk("'"+a.a+"' could not be loaded.");cl()};_.eb=function ll(a){cl()};var Jd=YE(GI,'DependencyLoader/1',199);Zi(208,1,MI,ml);_.cb=function nl(a,b){En(a,Ic(b,25))};var Kd=YE(GI,'DependencyLoader/1methodref$loadDynamicImport$Type',208);Zi(200,1,NI,ol);_.db=function pl(a){kk(a.a+' could not be loaded.')};_.eb=function ql(a){};var Ld=YE(GI,'DependencyLoader/2',200);Zi(209,1,OI,rl);_.I=function sl(){cl()};var Md=YE(GI,'DependencyLoader/2methodref$endEagerDependencyLoading$Type',209);Zi(354,$wnd.Function,{},tl);_.cb=function ul(a,b){Xk(this.a,this.b,Nc(a),Ic(b,46))};Zi(355,$wnd.Function,{},vl);_.cb=function wl(a,b){dl(this.a,Ic(a,51),Pc(b))};Zi(202,1,QI,xl);_.C=function yl(){Yk(this.a)};var Nd=YE(GI,'DependencyLoader/lambda$2$Type',202);Zi(201,1,{},zl);_.C=function Al(){Zk(this.a)};var Od=YE(GI,'DependencyLoader/lambda$3$Type',201);Zi(356,$wnd.Function,{},Bl);_.cb=function Cl(a,b){Ic(a,51).cb(Pc(b),(Uk(),Rk))};Zi(203,1,MI,Dl);_.cb=function El(a,b){el(this.b,this.a,a,Ic(b,25))};var Pd=YE(GI,'DependencyLoader/lambda$5$Type',203);Zi(204,1,MI,Fl);_.cb=function Gl(a,b){fl(this.b,this.a,a,Ic(b,25))};var Qd=YE(GI,'DependencyLoader/lambda$6$Type',204);Zi(206,1,MI,Hl);_.cb=function Il(a,b){Uk();Fn(this.a,a,Ic(b,25),true,RI)};var Rd=YE(GI,'DependencyLoader/lambda$8$Type',206);Zi(207,1,MI,Jl);_.cb=function Kl(a,b){Uk();Fn(this.a,a,Ic(b,25),true,'module')};var Sd=YE(GI,'DependencyLoader/lambda$9$Type',207);Zi(308,1,OI,Tl);_.I=function Ul(){uC(new Vl(this.a,this.b))};var Ud=YE(GI,'ExecuteJavaScriptElementUtils/lambda$0$Type',308);var rh=$E(VI,'FlushListener');Zi(307,1,WI,Vl);_.fb=function Wl(){Ql(this.a,this.b)};var Vd=YE(GI,'ExecuteJavaScriptElementUtils/lambda$1$Type',307);Zi(64,1,{64:1},Zl);var Wd=YE(GI,'ExistingElementMap',64);Zi(55,1,{55:1},gm);var Yd=YE(GI,'InitialPropertiesHandler',55);Zi(357,$wnd.Function,{},im);_.gb=function jm(a){dm(this.a,this.b,Kc(a))};Zi(216,1,WI,km);_.fb=function lm(){_l(this.a,this.b)};var Xd=YE(GI,'InitialPropertiesHandler/lambda$1$Type',216);Zi(358,$wnd.Function,{},mm);_.cb=function nm(a,b){hm(this.a,Ic(a,17),Pc(b))};var qm;Zi(296,1,II,Om);_.V=function Pm(a){return Nm(a)};var Zd=YE(GI,'PolymerUtils/0methodref$createModelTree$Type',296);Zi(379,$wnd.Function,{},Qm);_.gb=function Rm(a){Ic(a,49).Fb()};Zi(378,$wnd.Function,{},Sm);_.gb=function Tm(a){Ic(a,15).I()};Zi(297,1,_I,Um);_.hb=function Vm(a){Gm(this.a,a)};var $d=YE(GI,'PolymerUtils/lambda$1$Type',297);Zi(92,1,WI,Wm);_.fb=function Xm(){vm(this.b,this.a)};var _d=YE(GI,'PolymerUtils/lambda$10$Type',92);Zi(298,1,{106:1},Ym);_.ib=function Zm(a){this.a.forEach(_i(Qm.prototype.gb,Qm,[]))};var ae=YE(GI,'PolymerUtils/lambda$2$Type',298);Zi(300,1,aJ,$m);_.jb=function _m(a){Hm(this.a,this.b,a)};var be=YE(GI,'PolymerUtils/lambda$4$Type',300);Zi(299,1,bJ,an);_.kb=function bn(a){tC(new Wm(this.a,this.b))};var ce=YE(GI,'PolymerUtils/lambda$5$Type',299);Zi(376,$wnd.Function,{},cn);_.cb=function dn(a,b){var c;Im(this.a,this.b,(c=Ic(a,17),Pc(b),c))};Zi(301,1,bJ,en);_.kb=function fn(a){tC(new Wm(this.a,this.b))};var de=YE(GI,'PolymerUtils/lambda$7$Type',301);Zi(302,1,WI,gn);_.fb=function hn(){um(this.a,this.b)};var ee=YE(GI,'PolymerUtils/lambda$8$Type',302);Zi(377,$wnd.Function,{},jn);_.gb=function kn(a){this.a.push(sm(a))};var ln;Zi(114,1,{},pn);_.lb=function qn(){return (new Date).getTime()};var fe=YE(GI,'Profiler/DefaultRelativeTimeSupplier',114);Zi(113,1,{},rn);_.lb=function sn(){return $wnd.performance.now()};var ge=YE(GI,'Profiler/HighResolutionTimeSupplier',113);Zi(350,$wnd.Function,{},un);_.cb=function vn(a,b){xk(this.a,Ic(a,26),Ic(b,70))};Zi(54,1,{54:1},In);_.e=false;var te=YE(GI,'ResourceLoader',54);Zi(192,1,{},On);_.B=function Pn(){var a;a=Mn(this.d);if(Mn(this.d)>0){An(this.b,this.c);return false}else if(a==0){zn(this.b,this.c);return true}else if(Q(this.a)>60000){zn(this.b,this.c);return false}else{return true}};var ie=YE(GI,'ResourceLoader/1',192);Zi(193,39,{},Qn);_.I=function Rn(){this.a.c.has(this.c)||zn(this.a,this.b)};var je=YE(GI,'ResourceLoader/2',193);Zi(197,39,{},Sn);_.I=function Tn(){this.a.c.has(this.c)?An(this.a,this.b):zn(this.a,this.b)};var ke=YE(GI,'ResourceLoader/3',197);Zi(198,1,NI,Un);_.db=function Vn(a){zn(this.a,a)};_.eb=function Wn(a){An(this.a,a)};var le=YE(GI,'ResourceLoader/4',198);Zi(66,1,{},Xn);var me=YE(GI,'ResourceLoader/ResourceLoadEvent',66);Zi(101,1,NI,Yn);_.db=function Zn(a){zn(this.a,a)};_.eb=function $n(a){An(this.a,a)};var oe=YE(GI,'ResourceLoader/SimpleLoadListener',101);Zi(191,1,NI,_n);_.db=function ao(a){zn(this.a,a)};_.eb=function bo(a){var b;if(ZC((!bk&&(bk=new dk),bk).a)||_C((!bk&&(bk=new dk),bk).a)||$C((!bk&&(bk=new dk),bk).a)){b=Mn(this.b);if(b==0){zn(this.a,a);return}}An(this.a,a)};var pe=YE(GI,'ResourceLoader/StyleSheetLoadListener',191);Zi(194,1,KI,co);_.bb=function eo(){return this.a.call(null)};var qe=YE(GI,'ResourceLoader/lambda$0$Type',194);Zi(195,1,OI,fo);_.I=function go(){this.b.eb(this.a)};var re=YE(GI,'ResourceLoader/lambda$1$Type',195);Zi(196,1,OI,ho);_.I=function io(){this.b.db(this.a)};var se=YE(GI,'ResourceLoader/lambda$2$Type',196);Zi(23,1,{23:1},ro);_.b=false;var Be=YE(GI,'SystemErrorHandler',23);Zi(167,1,{},to);_.gb=function uo(a){oo(Pc(a))};var ue=YE(GI,'SystemErrorHandler/0methodref$recreateNodes$Type',167);Zi(163,1,{},wo);_.mb=function xo(a,b){var c;nr(Ic(wk(this.a.a,_e),28),Ic(wk(this.a.a,td),6).d);c=b;jo(c.v())};_.nb=function yo(a){var b,c,d,e;pk('Received xhr HTTP session resynchronization message: '+a.responseText);nr(Ic(wk(this.a.a,_e),28),-1);e=Ic(wk(this.a.a,td),6).k;b=cs(a.responseText);c=b['uiId'];if(c!=e){qk()&&bE($wnd.console,'UI ID switched from '+e+' to '+c+' after resynchronization');Fj(Ic(wk(this.a.a,td),6),c)}yk(this.a.a);Oo(Ic(wk(this.a.a,Ge),13),(cp(),ap));Pr(Ic(wk(this.a.a,pf),22),b);d=gt(LA(KB(Vu(Ic(wk(Ic(wk(this.a.a,Bf),37).a,bg),8).e,5),fJ)));d?Jo((Qb(),Pb),new zo(this)):Jo((Qb(),Pb),new Do(this))};var ye=YE(GI,'SystemErrorHandler/1',163);Zi(165,1,{},zo);_.C=function Ao(){vo(this.a)};var ve=YE(GI,'SystemErrorHandler/1/lambda$0$Type',165);Zi(164,1,{},Bo);_.C=function Co(){po(this.a.a)};var we=YE(GI,'SystemErrorHandler/1/lambda$1$Type',164);Zi(166,1,{},Do);_.C=function Eo(){po(this.a.a)};var xe=YE(GI,'SystemErrorHandler/1/lambda$2$Type',166);Zi(161,1,{},Fo);_.U=function Go(a){mp(this.a)};var ze=YE(GI,'SystemErrorHandler/lambda$0$Type',161);Zi(162,1,{},Ho);_.U=function Io(a){so(this.a,a)};var Ae=YE(GI,'SystemErrorHandler/lambda$1$Type',162);Zi(135,131,{},Ko);_.a=0;var De=YE(GI,'TrackingScheduler',135);Zi(136,1,{},Lo);_.C=function Mo(){this.a.a--};var Ce=YE(GI,'TrackingScheduler/lambda$0$Type',136);Zi(13,1,{13:1},Po);var Ge=YE(GI,'UILifecycle',13);Zi(171,333,{},Ro);_.K=function So(a){Ic(a,93).ob(this)};_.L=function To(){return Qo};var Qo=null;var Ee=YE(GI,'UILifecycle/StateChangeEvent',171);Zi(14,1,{3:1,21:1,14:1});_.m=function Xo(a){return this===a};_.o=function Yo(){return eI(this)};_.p=function Zo(){return this.b!=null?this.b:''+this.c};_.c=0;var Zh=YE(qI,'Enum',14);Zi(65,14,{65:1,3:1,21:1,14:1},dp);var _o,ap,bp;var Fe=ZE(GI,'UILifecycle/UIState',65,ep);Zi(332,1,sI);var Fh=YE(gJ,'VaadinUriResolver',332);Zi(53,332,{53:1,3:1},jp);_.pb=function kp(a){return ip(this,a)};var He=YE(GI,'URIResolver',53);var pp=false,qp;Zi(115,1,{},Ap);_.C=function Bp(){wp(this.a)};var Ie=YE('com.vaadin.client.bootstrap','Bootstrapper/lambda$0$Type',115);Zi(89,1,{},Sp);_.qb=function Up(){return Ic(wk(this.d,pf),22).f};_.rb=function Wp(a){this.f=(oq(),mq);no(Ic(wk(Ic(wk(this.d,Re),20).c,Be),23),'','Client unexpectedly disconnected. Ensure client timeout is disabled.','',null,null)};_.sb=function Xp(a){this.f=(oq(),lq);Ic(wk(this.d,Re),20);qk()&&($wnd.console.debug('Push connection closed'),undefined)};_.tb=function Yp(a){this.f=(oq(),mq);Cq(Ic(wk(this.d,Re),20),'Push connection using '+a[lJ]+' failed!')};_.ub=function Zp(a){var b,c;c=a['responseBody'];b=cs(c);if(!b){Kq(Ic(wk(this.d,Re),20),this,c);return}else{ik('Received push ('+this.g+') message: '+c);Pr(Ic(wk(this.d,pf),22),b)}};_.vb=function $p(a){ik('Push connection established using '+a[lJ]);Pp(this,a)};_.wb=function _p(a,b){this.f==(oq(),kq)&&(this.f=lq);Nq(Ic(wk(this.d,Re),20),this)};_.xb=function aq(a){ik('Push connection re-established using '+a[lJ]);Pp(this,a)};_.yb=function bq(){rk('Push connection using primary method ('+this.a[lJ]+') failed. Trying with '+this.a['fallbackTransport'])};var Qe=YE(oJ,'AtmospherePushConnection',89);Zi(249,1,{},cq);_.C=function dq(){Gp(this.a)};var Je=YE(oJ,'AtmospherePushConnection/0methodref$connect$Type',249);Zi(251,1,NI,eq);_.db=function fq(a){Oq(Ic(wk(this.a.d,Re),20),a.a)};_.eb=function gq(a){if(Vp()){ik(this.c+' loaded');Op(this.b.a)}else{Oq(Ic(wk(this.a.d,Re),20),a.a)}};var Ke=YE(oJ,'AtmospherePushConnection/1',251);Zi(246,1,{},jq);_.a=0;var Le=YE(oJ,'AtmospherePushConnection/FragmentedMessage',246);Zi(57,14,{57:1,3:1,21:1,14:1},pq);var kq,lq,mq,nq;var Me=ZE(oJ,'AtmospherePushConnection/State',57,qq);Zi(248,1,pJ,rq);_.ob=function sq(a){Mp(this.a,a)};var Ne=YE(oJ,'AtmospherePushConnection/lambda$0$Type',248);Zi(247,1,QI,tq);_.C=function uq(){};var Oe=YE(oJ,'AtmospherePushConnection/lambda$1$Type',247);Zi(365,$wnd.Function,{},vq);_.cb=function wq(a,b){Np(this.a,Pc(a),Pc(b))};Zi(250,1,QI,xq);_.C=function yq(){Op(this.a)};var Pe=YE(oJ,'AtmospherePushConnection/lambda$3$Type',250);var Re=$E(oJ,'ConnectionStateHandler');Zi(220,1,{20:1},Wq);_.a=0;_.b=null;var Xe=YE(oJ,'DefaultConnectionStateHandler',220);Zi(222,39,{},Xq);_.I=function Yq(){!!this.a.d&&fj(this.a.d);this.a.d=null;ik('Scheduled reconnect attempt '+this.a.a+' for '+this.b);Aq(this.a,this.b)};var Se=YE(oJ,'DefaultConnectionStateHandler/1',222);Zi(67,14,{67:1,3:1,21:1,14:1},cr);_.a=0;var Zq,$q,_q;var Te=ZE(oJ,'DefaultConnectionStateHandler/Type',67,dr);Zi(221,1,pJ,er);_.ob=function fr(a){Iq(this.a,a)};var Ue=YE(oJ,'DefaultConnectionStateHandler/lambda$0$Type',221);Zi(223,1,{},gr);_.U=function hr(a){Bq(this.a)};var Ve=YE(oJ,'DefaultConnectionStateHandler/lambda$1$Type',223);Zi(224,1,{},ir);_.U=function jr(a){Jq(this.a)};var We=YE(oJ,'DefaultConnectionStateHandler/lambda$2$Type',224);Zi(28,1,{28:1},or);_.a=-1;var _e=YE(oJ,'Heartbeat',28);Zi(217,39,{},pr);_.I=function qr(){mr(this.a)};var Ye=YE(oJ,'Heartbeat/1',217);Zi(219,1,{},rr);_.mb=function sr(a,b){!b?this.a.a<0?qk()&&($wnd.console.debug('Heartbeat terminated, ignoring failure.'),undefined):Gq(Ic(wk(this.a.b,Re),20),a):Fq(Ic(wk(this.a.b,Re),20),b);lr(this.a)};_.nb=function tr(a){Hq(Ic(wk(this.a.b,Re),20));lr(this.a)};var Ze=YE(oJ,'Heartbeat/2',219);Zi(218,1,pJ,ur);_.ob=function vr(a){kr(this.a,a)};var $e=YE(oJ,'Heartbeat/lambda$0$Type',218);Zi(173,1,{},zr);_.gb=function Ar(a){fk('firstDelay',tF(Ic(a,27).a))};var af=YE(oJ,'LoadingIndicatorConfigurator/0methodref$setFirstDelay$Type',173);Zi(174,1,{},Br);_.gb=function Cr(a){fk('secondDelay',tF(Ic(a,27).a))};var bf=YE(oJ,'LoadingIndicatorConfigurator/1methodref$setSecondDelay$Type',174);Zi(175,1,{},Dr);_.gb=function Er(a){fk('thirdDelay',tF(Ic(a,27).a))};var cf=YE(oJ,'LoadingIndicatorConfigurator/2methodref$setThirdDelay$Type',175);Zi(176,1,bJ,Fr);_.kb=function Gr(a){yr(OA(Ic(a.e,17)))};var df=YE(oJ,'LoadingIndicatorConfigurator/lambda$3$Type',176);Zi(177,1,bJ,Hr);_.kb=function Ir(a){xr(this.b,this.a,a)};_.a=0;var ef=YE(oJ,'LoadingIndicatorConfigurator/lambda$4$Type',177);Zi(22,1,{22:1},_r);_.a=0;_.b='init';_.d=false;_.e=0;_.f=-1;_.h=null;_.l=0;var pf=YE(oJ,'MessageHandler',22);Zi(183,1,QI,ds);_.C=function es(){!wA&&$wnd.Polymer!=null&&FF($wnd.Polymer.version.substr(0,'1.'.length),'1.')&&(wA=true,qk()&&($wnd.console.debug('Polymer micro is now loaded, using Polymer DOM API'),undefined),vA=new yA,undefined)};var ff=YE(oJ,'MessageHandler/0methodref$updateApiImplementation$Type',183);Zi(182,39,{},fs);_.I=function gs(){Lr(this.a)};var gf=YE(oJ,'MessageHandler/1',182);Zi(353,$wnd.Function,{},hs);_.gb=function is(a){Jr(Ic(a,7))};Zi(56,1,{56:1},js);var hf=YE(oJ,'MessageHandler/PendingUIDLMessage',56);Zi(184,1,QI,ks);_.C=function ls(){Wr(this.a,this.d,this.b,this.c)};_.c=0;var jf=YE(oJ,'MessageHandler/lambda$1$Type',184);Zi(186,1,WI,ms);_.fb=function ns(){uC(new os(this.a,this.b))};var kf=YE(oJ,'MessageHandler/lambda$3$Type',186);Zi(185,1,WI,os);_.fb=function ps(){Tr(this.a,this.b)};var lf=YE(oJ,'MessageHandler/lambda$4$Type',185);Zi(187,1,{},qs);_.B=function rs(){return lo(Ic(wk(this.a.i,Be),23),null),false};var mf=YE(oJ,'MessageHandler/lambda$5$Type',187);Zi(189,1,WI,ss);_.fb=function ts(){Ur(this.a)};var nf=YE(oJ,'MessageHandler/lambda$6$Type',189);Zi(188,1,{},us);_.C=function vs(){this.a.forEach(_i(hs.prototype.gb,hs,[]))};var of=YE(oJ,'MessageHandler/lambda$7$Type',188);Zi(16,1,{16:1},Ks);_.a=0;_.g=0;var tf=YE(oJ,'MessageSender',16);Zi(180,39,{},Ms);_.I=function Ns(){gj(this.a.f,Ic(wk(this.a.e,td),6).e+500);if(!Ic(wk(this.a.e,Ff),12).b){Ct(Ic(wk(this.a.e,Ff),12));ju(Ic(wk(this.a.e,Tf),62),this.b)}};var qf=YE(oJ,'MessageSender/1',180);Zi(179,1,{337:1},Os);var rf=YE(oJ,'MessageSender/lambda$0$Type',179);Zi(100,1,QI,Ps);_.C=function Qs(){ys(this.a,this.b)};_.b=false;var sf=YE(oJ,'MessageSender/lambda$1$Type',100);Zi(168,1,bJ,Ts);_.kb=function Us(a){Rs(this.a,a)};var uf=YE(oJ,'PollConfigurator/lambda$0$Type',168);Zi(75,1,{75:1},Ys);_.zb=function Zs(){var a;a=Ic(wk(this.b,bg),8);yv(a,a.e,'ui-poll',null)};_.a=null;var xf=YE(oJ,'Poller',75);Zi(170,39,{},$s);_.I=function _s(){var a;a=Ic(wk(this.a.b,bg),8);yv(a,a.e,'ui-poll',null)};var vf=YE(oJ,'Poller/1',170);Zi(169,1,pJ,at);_.ob=function bt(a){Vs(this.a,a)};var wf=YE(oJ,'Poller/lambda$0$Type',169);Zi(37,1,{37:1},ft);var Bf=YE(oJ,'PushConfiguration',37);Zi(230,1,bJ,it);_.kb=function jt(a){et(this.a,a)};var yf=YE(oJ,'PushConfiguration/0methodref$onPushModeChange$Type',230);Zi(231,1,WI,kt);_.fb=function lt(){Is(Ic(wk(this.a.a,tf),16),true)};var zf=YE(oJ,'PushConfiguration/lambda$1$Type',231);Zi(232,1,WI,mt);_.fb=function nt(){Is(Ic(wk(this.a.a,tf),16),false)};var Af=YE(oJ,'PushConfiguration/lambda$2$Type',232);Zi(359,$wnd.Function,{},ot);_.cb=function pt(a,b){ht(this.a,Ic(a,17),Pc(b))};Zi(38,1,{38:1},qt);var Df=YE(oJ,'ReconnectConfiguration',38);Zi(172,1,QI,rt);_.C=function st(){zq(this.a)};var Cf=YE(oJ,'ReconnectConfiguration/lambda$0$Type',172);Zi(181,333,{},vt);_.K=function wt(a){ut(this,Ic(a,337))};_.L=function xt(){return tt};_.a=0;var tt=null;var Ef=YE(oJ,'ReconnectionAttemptEvent',181);Zi(12,1,{12:1},Dt);_.b=false;var Ff=YE(oJ,'RequestResponseTracker',12);Zi(245,333,{},Et);_.K=function Ft(a){bd(a);null.mc()};_.L=function Gt(){return null};var Gf=YE(oJ,'RequestStartingEvent',245);Zi(229,333,{},It);_.K=function Jt(a){Ic(a,338).a.b=false};_.L=function Kt(){return Ht};var Ht;var Hf=YE(oJ,'ResponseHandlingEndedEvent',229);Zi(289,333,{},Lt);_.K=function Mt(a){bd(a);null.mc()};_.L=function Nt(){return null};var If=YE(oJ,'ResponseHandlingStartedEvent',289);Zi(33,1,{33:1},Vt);_.Ab=function Wt(a,b,c){Ot(this,a,b,c)};_.Bb=function Xt(a,b,c){var d;d={};d[LI]='channel';d[DJ]=Object(a);d['channel']=Object(b);d['args']=c;St(this,d)};var Jf=YE(oJ,'ServerConnector',33);Zi(44,1,{44:1},bu);_.b=false;var Yt;var Nf=YE(oJ,'ServerRpcQueue',44);Zi(211,1,OI,cu);_.I=function du(){_t(this.a)};var Kf=YE(oJ,'ServerRpcQueue/0methodref$doFlush$Type',211);Zi(210,1,OI,eu);_.I=function fu(){Zt()};var Lf=YE(oJ,'ServerRpcQueue/lambda$0$Type',210);Zi(212,1,{},gu);_.C=function hu(){this.a.a.I()};var Mf=YE(oJ,'ServerRpcQueue/lambda$2$Type',212);Zi(62,1,{62:1},ku);_.b=false;var Tf=YE(oJ,'XhrConnection',62);Zi(228,39,{},mu);_.I=function nu(){lu(this.b)&&this.a.b&&gj(this,250)};var Of=YE(oJ,'XhrConnection/1',228);Zi(225,1,{},pu);_.mb=function qu(a,b){var c;c=new vu(a,this.a);if(!b){Uq(Ic(wk(this.c.a,Re),20),c);return}else{Sq(Ic(wk(this.c.a,Re),20),c)}};_.nb=function ru(a){var b,c;ik('Server visit took '+nn(this.b)+'ms');c=a.responseText;b=cs(c);if(!b){Tq(Ic(wk(this.c.a,Re),20),new vu(a,this.a));return}Vq(Ic(wk(this.c.a,Re),20));qk()&&bE($wnd.console,'Received xhr message: '+c);Pr(Ic(wk(this.c.a,pf),22),b)};_.b=0;var Pf=YE(oJ,'XhrConnection/XhrResponseHandler',225);Zi(226,1,{},su);_.U=function tu(a){this.a.b=true};var Qf=YE(oJ,'XhrConnection/lambda$0$Type',226);Zi(227,1,{338:1},uu);var Rf=YE(oJ,'XhrConnection/lambda$1$Type',227);Zi(104,1,{},vu);var Sf=YE(oJ,'XhrConnectionError',104);Zi(63,1,{63:1},zu);var Uf=YE(GJ,'ConstantPool',63);Zi(86,1,{86:1},Hu);_.Cb=function Iu(){return Ic(wk(this.a,td),6).a};var Yf=YE(GJ,'ExecuteJavaScriptProcessor',86);Zi(214,1,II,Ju);_.V=function Ku(a){var b;return uC(new Lu(this.a,(b=this.b,b))),PE(),true};var Vf=YE(GJ,'ExecuteJavaScriptProcessor/lambda$0$Type',214);Zi(213,1,WI,Lu);_.fb=function Mu(){Cu(this.a,this.b)};var Wf=YE(GJ,'ExecuteJavaScriptProcessor/lambda$1$Type',213);Zi(215,1,OI,Nu);_.I=function Ou(){Gu(this.a)};var Xf=YE(GJ,'ExecuteJavaScriptProcessor/lambda$2$Type',215);Zi(306,1,{},Pu);var Zf=YE(GJ,'NodeUnregisterEvent',306);Zi(7,1,{7:1},av);_.Db=function bv(){return Tu(this)};_.Eb=function cv(){return this.g};_.d=0;_.i=false;var ag=YE(GJ,'StateNode',7);Zi(346,$wnd.Function,{},ev);_.cb=function fv(a,b){Wu(this.a,this.b,Ic(a,34),Kc(b))};Zi(347,$wnd.Function,{},gv);_.gb=function hv(a){dv(this.a,Ic(a,106))};var Ih=$E('elemental.events','EventRemover');Zi(153,1,KJ,iv);_.Fb=function jv(){Xu(this.a,this.b)};var $f=YE(GJ,'StateNode/lambda$2$Type',153);Zi(348,$wnd.Function,{},kv);_.gb=function lv(a){Yu(this.a,Ic(a,61))};Zi(154,1,KJ,mv);_.Fb=function nv(){Zu(this.a,this.b)};var _f=YE(GJ,'StateNode/lambda$4$Type',154);Zi(8,1,{8:1},Ev);_.Gb=function Fv(){return this.e};_.Hb=function Hv(a,b,c,d){var e;if(tv(this,a)){e=Nc(c);Ut(Ic(wk(this.c,Jf),33),a,b,e,d)}};_.d=false;_.f=false;var bg=YE(GJ,'StateTree',8);Zi(351,$wnd.Function,{},Iv);_.gb=function Jv(a){Su(Ic(a,7),_i(Mv.prototype.cb,Mv,[]))};Zi(352,$wnd.Function,{},Kv);_.cb=function Lv(a,b){var c;vv(this.a,(c=Ic(a,7),Kc(b),c))};Zi(336,$wnd.Function,{},Mv);_.cb=function Nv(a,b){Gv(Ic(a,34),Kc(b))};var Vv,Wv;Zi(178,1,{},_v);var cg=YE(RJ,'Binder/BinderContextImpl',178);var dg=$E(RJ,'BindingStrategy');Zi(81,1,{81:1},ew);_.j=0;var aw;var gg=YE(RJ,'Debouncer',81);Zi(382,$wnd.Function,{},iw);_.gb=function jw(a){Ic(a,15).I()};Zi(335,1,{});_.c=false;_.d=0;var Nh=YE(UJ,'Timer',335);Zi(309,335,{},ow);var eg=YE(RJ,'Debouncer/1',309);Zi(310,335,{},qw);var fg=YE(RJ,'Debouncer/2',310);Zi(383,$wnd.Function,{},sw);_.cb=function tw(a,b){var c;rw(this,(c=Oc(a,$wnd.Map),Nc(b),c))};Zi(384,$wnd.Function,{},ww);_.gb=function xw(a){uw(this.a,Oc(a,$wnd.Map))};Zi(385,$wnd.Function,{},yw);_.gb=function zw(a){vw(this.a,Ic(a,81))};Zi(381,$wnd.Function,{},Aw);_.cb=function Bw(a,b){gw(this.a,Ic(a,15),Pc(b))};Zi(303,1,KI,Fw);_.bb=function Gw(){return Sw(this.a)};var hg=YE(RJ,'ServerEventHandlerBinder/lambda$0$Type',303);Zi(304,1,_I,Hw);_.hb=function Iw(a){Ew(this.b,this.a,this.c,a)};_.c=false;var ig=YE(RJ,'ServerEventHandlerBinder/lambda$1$Type',304);var Jw;Zi(252,1,{313:1},Sx);_.Ib=function Tx(a,b,c){_w(this,a,b,c)};_.Jb=function Wx(a){return jx(a)};_.Lb=function _x(a,b){var c,d,e;d=Object.keys(a);e=new Uz(d,a,b);c=Ic(b.e.get(kg),78);!c?Hx(e.b,e.a,e.c):(c.a=e)};_.Mb=function ay(r,s){var t=this;var u=s._propertiesChanged;u&&(s._propertiesChanged=function(a,b,c){mI(function(){t.Lb(b,r)})();u.apply(this,arguments)});var v=r.Eb();var w=s.ready;s.ready=function(){w.apply(this,arguments);wm(s);var q=function(){var o=s.root.querySelector(aK);if(o){s.removeEventListener(bK,q)}else{return}if(!o.constructor.prototype.$propChangedModified){o.constructor.prototype.$propChangedModified=true;var p=o.constructor.prototype._propertiesChanged;o.constructor.prototype._propertiesChanged=function(a,b,c){p.apply(this,arguments);var d=Object.getOwnPropertyNames(b);var e='items.';var f;for(f=0;f<d.length;f++){var g=d[f].indexOf(e);if(g==0){var h=d[f].substr(e.length);g=h.indexOf('.');if(g>0){var i=h.substr(0,g);var j=h.substr(g+1);var k=a.items[i];if(k&&k.nodeId){var l=k.nodeId;var m=k[j];var n=this.__dataHost;while(!n.localName||n.__dataHost){n=n.__dataHost}mI(function(){$x(l,n,j,m,v)})()}}}}}}};s.root&&s.root.querySelector(aK)?q():s.addEventListener(bK,q)}};_.Kb=function by(a){if(a.c.has(0)){return true}return !!a.g&&K(a,a.g.e)};var Uw,Vw;var Sg=YE(RJ,'SimpleElementBindingStrategy',252);Zi(370,$wnd.Function,{},sy);_.gb=function ty(a){Ic(a,49).Fb()};Zi(374,$wnd.Function,{},uy);_.gb=function vy(a){Ic(a,15).I()};Zi(102,1,{},wy);var jg=YE(RJ,'SimpleElementBindingStrategy/BindingContext',102);Zi(78,1,{78:1},xy);var kg=YE(RJ,'SimpleElementBindingStrategy/InitialPropertyUpdate',78);Zi(253,1,{},yy);_.Nb=function zy(a){vx(this.a,a)};var lg=YE(RJ,'SimpleElementBindingStrategy/lambda$0$Type',253);Zi(254,1,{},Ay);_.Nb=function By(a){wx(this.a,a)};var mg=YE(RJ,'SimpleElementBindingStrategy/lambda$1$Type',254);Zi(366,$wnd.Function,{},Cy);_.cb=function Dy(a,b){var c;cy(this.b,this.a,(c=Ic(a,17),Pc(b),c))};Zi(263,1,aJ,Ey);_.jb=function Fy(a){dy(this.b,this.a,a)};var ng=YE(RJ,'SimpleElementBindingStrategy/lambda$11$Type',263);Zi(264,1,bJ,Gy);_.kb=function Hy(a){Px(this.c,this.b,this.a)};var og=YE(RJ,'SimpleElementBindingStrategy/lambda$12$Type',264);Zi(265,1,WI,Iy);_.fb=function Jy(){xx(this.b,this.c,this.a)};var pg=YE(RJ,'SimpleElementBindingStrategy/lambda$13$Type',265);Zi(266,1,QI,Ky);_.C=function Ly(){this.b.Nb(this.a)};var qg=YE(RJ,'SimpleElementBindingStrategy/lambda$14$Type',266);Zi(267,1,II,Ny);_.V=function Oy(a){return My(this,a)};var rg=YE(RJ,'SimpleElementBindingStrategy/lambda$15$Type',267);Zi(268,1,QI,Py);_.C=function Qy(){this.a[this.b]=sm(this.c)};var sg=YE(RJ,'SimpleElementBindingStrategy/lambda$16$Type',268);Zi(270,1,_I,Ry);_.hb=function Sy(a){yx(this.a,a)};var tg=YE(RJ,'SimpleElementBindingStrategy/lambda$17$Type',270);Zi(269,1,WI,Ty);_.fb=function Uy(){qx(this.b,this.a)};var ug=YE(RJ,'SimpleElementBindingStrategy/lambda$18$Type',269);Zi(272,1,_I,Vy);_.hb=function Wy(a){zx(this.a,a)};var vg=YE(RJ,'SimpleElementBindingStrategy/lambda$19$Type',272);Zi(255,1,{},Xy);_.Nb=function Yy(a){Ax(this.a,a)};var wg=YE(RJ,'SimpleElementBindingStrategy/lambda$2$Type',255);Zi(271,1,WI,Zy);_.fb=function $y(){Bx(this.b,this.a)};var xg=YE(RJ,'SimpleElementBindingStrategy/lambda$20$Type',271);Zi(273,1,OI,_y);_.I=function az(){sx(this.a,this.b,this.c,false)};var yg=YE(RJ,'SimpleElementBindingStrategy/lambda$21$Type',273);Zi(274,1,OI,bz);_.I=function cz(){sx(this.a,this.b,this.c,false)};var zg=YE(RJ,'SimpleElementBindingStrategy/lambda$22$Type',274);Zi(275,1,OI,dz);_.I=function ez(){ux(this.a,this.b,this.c,false)};var Ag=YE(RJ,'SimpleElementBindingStrategy/lambda$23$Type',275);Zi(276,1,KI,fz);_.bb=function gz(){return fy(this.a,this.b)};var Bg=YE(RJ,'SimpleElementBindingStrategy/lambda$24$Type',276);Zi(277,1,OI,hz);_.I=function iz(){lx(this.b,this.e,false,this.c,this.d,this.a)};var Cg=YE(RJ,'SimpleElementBindingStrategy/lambda$25$Type',277);Zi(278,1,KI,jz);_.bb=function kz(){return gy(this.a,this.b)};var Dg=YE(RJ,'SimpleElementBindingStrategy/lambda$26$Type',278);Zi(279,1,KI,lz);_.bb=function mz(){return hy(this.a,this.b)};var Eg=YE(RJ,'SimpleElementBindingStrategy/lambda$27$Type',279);Zi(367,$wnd.Function,{},nz);_.cb=function oz(a,b){var c;iC((c=Ic(a,76),Pc(b),c))};Zi(256,1,{106:1},pz);_.ib=function qz(a){Ix(this.c,this.b,this.a)};var Fg=YE(RJ,'SimpleElementBindingStrategy/lambda$3$Type',256);Zi(368,$wnd.Function,{},rz);_.gb=function sz(a){iy(this.a,Oc(a,$wnd.Map))};Zi(369,$wnd.Function,{},tz);_.cb=function uz(a,b){var c;(c=Ic(a,49),Pc(b),c).Fb()};Zi(371,$wnd.Function,{},vz);_.cb=function wz(a,b){var c;Cx(this.a,(c=Ic(a,17),Pc(b),c))};Zi(280,1,aJ,xz);_.jb=function yz(a){Dx(this.a,a)};var Gg=YE(RJ,'SimpleElementBindingStrategy/lambda$34$Type',280);Zi(281,1,QI,zz);_.C=function Az(){Ex(this.b,this.a,this.c)};var Hg=YE(RJ,'SimpleElementBindingStrategy/lambda$35$Type',281);Zi(282,1,{},Bz);_.U=function Cz(a){Fx(this.a,a)};var Ig=YE(RJ,'SimpleElementBindingStrategy/lambda$36$Type',282);Zi(372,$wnd.Function,{},Dz);_.gb=function Ez(a){jy(this.b,this.a,Pc(a))};Zi(373,$wnd.Function,{},Fz);_.gb=function Gz(a){Gx(this.a,this.b,Pc(a))};Zi(283,1,{},Hz);_.gb=function Iz(a){qy(this.b,this.c,this.a,Pc(a))};var Jg=YE(RJ,'SimpleElementBindingStrategy/lambda$39$Type',283);Zi(258,1,WI,Jz);_.fb=function Kz(){ky(this.a)};var Kg=YE(RJ,'SimpleElementBindingStrategy/lambda$4$Type',258);Zi(284,1,_I,Lz);_.hb=function Mz(a){ly(this.a,a)};var Lg=YE(RJ,'SimpleElementBindingStrategy/lambda$41$Type',284);Zi(285,1,KI,Nz);_.bb=function Oz(){return this.a.b};var Mg=YE(RJ,'SimpleElementBindingStrategy/lambda$42$Type',285);Zi(375,$wnd.Function,{},Pz);_.gb=function Qz(a){this.a.push(Ic(a,7))};Zi(257,1,{},Rz);_.C=function Sz(){my(this.a)};var Ng=YE(RJ,'SimpleElementBindingStrategy/lambda$5$Type',257);Zi(260,1,OI,Uz);_.I=function Vz(){Tz(this)};var Og=YE(RJ,'SimpleElementBindingStrategy/lambda$6$Type',260);Zi(259,1,KI,Wz);_.bb=function Xz(){return this.a[this.b]};var Pg=YE(RJ,'SimpleElementBindingStrategy/lambda$7$Type',259);Zi(262,1,aJ,Yz);_.jb=function Zz(a){tC(new $z(this.a))};var Qg=YE(RJ,'SimpleElementBindingStrategy/lambda$8$Type',262);Zi(261,1,WI,$z);_.fb=function _z(){$w(this.a)};var Rg=YE(RJ,'SimpleElementBindingStrategy/lambda$9$Type',261);Zi(286,1,{313:1},eA);_.Ib=function fA(a,b,c){cA(a,b)};_.Jb=function gA(a){return $doc.createTextNode('')};_.Kb=function hA(a){return a.c.has(7)};var aA;var Vg=YE(RJ,'TextBindingStrategy',286);Zi(287,1,QI,iA);_.C=function jA(){bA();YD(this.a,Pc(LA(this.b)))};var Tg=YE(RJ,'TextBindingStrategy/lambda$0$Type',287);Zi(288,1,{106:1},kA);_.ib=function lA(a){dA(this.b,this.a)};var Ug=YE(RJ,'TextBindingStrategy/lambda$1$Type',288);Zi(345,$wnd.Function,{},pA);_.gb=function qA(a){this.a.add(a)};Zi(349,$wnd.Function,{},sA);_.cb=function tA(a,b){this.a.push(a)};var vA,wA=false;Zi(295,1,{},yA);var Wg=YE('com.vaadin.client.flow.dom','PolymerDomApiImpl',295);Zi(79,1,{79:1},zA);var Xg=YE('com.vaadin.client.flow.model','UpdatableModelProperties',79);Zi(380,$wnd.Function,{},AA);_.gb=function BA(a){this.a.add(Pc(a))};Zi(90,1,{});_.Ob=function DA(){return this.e};var wh=YE(VI,'ReactiveValueChangeEvent',90);Zi(59,90,{59:1},EA);_.Ob=function FA(){return Ic(this.e,30)};_.b=false;_.c=0;var Yg=YE(cK,'ListSpliceEvent',59);Zi(17,1,{17:1,314:1},UA);_.Pb=function VA(a){return XA(this.a,a)};_.b=false;_.c=false;_.d=false;var GA;var gh=YE(cK,'MapProperty',17);Zi(88,1,{});var vh=YE(VI,'ReactiveEventRouter',88);Zi(238,88,{},bB);_.Qb=function cB(a,b){Ic(a,50).kb(Ic(b,80))};_.Rb=function dB(a){return new eB(a)};var $g=YE(cK,'MapProperty/1',238);Zi(239,1,bJ,eB);_.kb=function fB(a){gC(this.a)};var Zg=YE(cK,'MapProperty/1/0methodref$onValueChange$Type',239);Zi(237,1,OI,gB);_.I=function hB(){HA()};var _g=YE(cK,'MapProperty/lambda$0$Type',237);Zi(240,1,WI,iB);_.fb=function jB(){this.a.d=false};var ah=YE(cK,'MapProperty/lambda$1$Type',240);Zi(241,1,WI,kB);_.fb=function lB(){this.a.d=false};var bh=YE(cK,'MapProperty/lambda$2$Type',241);Zi(242,1,OI,mB);_.I=function nB(){QA(this.a,this.b)};var dh=YE(cK,'MapProperty/lambda$3$Type',242);Zi(91,90,{91:1},oB);_.Ob=function pB(){return Ic(this.e,45)};var eh=YE(cK,'MapPropertyAddEvent',91);Zi(80,90,{80:1},qB);_.Ob=function rB(){return Ic(this.e,17)};var fh=YE(cK,'MapPropertyChangeEvent',80);Zi(34,1,{34:1});_.d=0;var hh=YE(cK,'NodeFeature',34);Zi(30,34,{34:1,30:1,314:1},zB);_.Pb=function AB(a){return XA(this.a,a)};_.Sb=function BB(a){var b,c,d;c=[];for(b=0;b<this.c.length;b++){d=this.c[b];c[c.length]=sm(d)}return c};_.Tb=function CB(){var a,b,c,d;b=[];for(a=0;a<this.c.length;a++){d=this.c[a];c=sB(d);b[b.length]=c}return b};_.b=false;var kh=YE(cK,'NodeList',30);Zi(292,88,{},DB);_.Qb=function EB(a,b){Ic(a,68).hb(Ic(b,59))};_.Rb=function FB(a){return new GB(a)};var jh=YE(cK,'NodeList/1',292);Zi(293,1,_I,GB);_.hb=function HB(a){gC(this.a)};var ih=YE(cK,'NodeList/1/0methodref$onValueChange$Type',293);Zi(45,34,{34:1,45:1,314:1},OB);_.Pb=function PB(a){return XA(this.a,a)};_.Sb=function QB(a){var b;b={};this.b.forEach(_i(aC.prototype.cb,aC,[a,b]));return b};_.Tb=function RB(){var a,b;a={};this.b.forEach(_i($B.prototype.cb,$B,[a]));if((b=qE(a),b).length==0){return null}return a};var nh=YE(cK,'NodeMap',45);Zi(233,88,{},TB);_.Qb=function UB(a,b){Ic(a,83).jb(Ic(b,91))};_.Rb=function VB(a){return new WB(a)};var mh=YE(cK,'NodeMap/1',233);Zi(234,1,aJ,WB);_.jb=function XB(a){gC(this.a)};var lh=YE(cK,'NodeMap/1/0methodref$onValueChange$Type',234);Zi(360,$wnd.Function,{},YB);_.cb=function ZB(a,b){this.a.push((Ic(a,17),Pc(b)))};Zi(361,$wnd.Function,{},$B);_.cb=function _B(a,b){NB(this.a,Ic(a,17),Pc(b))};Zi(362,$wnd.Function,{},aC);_.cb=function bC(a,b){SB(this.a,this.b,Ic(a,17),Pc(b))};Zi(76,1,{76:1});_.d=false;_.e=false;var qh=YE(VI,'Computation',76);Zi(243,1,WI,jC);_.fb=function kC(){hC(this.a)};var oh=YE(VI,'Computation/0methodref$recompute$Type',243);Zi(244,1,QI,lC);_.C=function mC(){this.a.a.C()};var ph=YE(VI,'Computation/1methodref$doRecompute$Type',244);Zi(364,$wnd.Function,{},nC);_.gb=function oC(a){yC(Ic(a,339).a)};var pC=null,qC,rC=false,sC;Zi(77,76,{76:1},xC);var sh=YE(VI,'Reactive/1',77);Zi(235,1,KJ,zC);_.Fb=function AC(){yC(this)};var th=YE(VI,'ReactiveEventRouter/lambda$0$Type',235);Zi(236,1,{339:1},BC);var uh=YE(VI,'ReactiveEventRouter/lambda$1$Type',236);Zi(363,$wnd.Function,{},CC);_.gb=function DC(a){$A(this.a,this.b,a)};Zi(103,334,{},QC);_.b=0;var Ah=YE(fK,'SimpleEventBus',103);var xh=$E(fK,'SimpleEventBus/Command');Zi(290,1,{},RC);var yh=YE(fK,'SimpleEventBus/lambda$0$Type',290);Zi(291,1,{340:1},SC);var zh=YE(fK,'SimpleEventBus/lambda$1$Type',291);Zi(99,1,{},XC);_.J=function YC(a){if(a.readyState==4){if(a.status==200){this.a.nb(a);pj(a);return}this.a.mb(a,null);pj(a)}};var Bh=YE('com.vaadin.client.gwt.elemental.js.util','Xhr/Handler',99);Zi(305,1,sI,dD);var Eh=YE(gJ,'BrowserDetails',305);Zi(47,14,{47:1,3:1,21:1,14:1},kD);var eD,fD,gD,hD,iD;var Ch=ZE(gJ,'BrowserDetails/BrowserEngine',47,lD);Zi(35,14,{35:1,3:1,21:1,14:1},uD);var mD,nD,oD,pD,qD,rD,sD;var Dh=ZE(gJ,'BrowserDetails/BrowserName',35,vD);Zi(48,14,{48:1,3:1,21:1,14:1},BD);var wD,xD,yD,zD;var Gh=ZE(uK,'Dependency/Type',48,CD);var DD;Zi(46,14,{46:1,3:1,21:1,14:1},JD);var FD,GD,HD;var Hh=ZE(uK,'LoadMode',46,KD);Zi(116,1,KJ,_D);_.Fb=function aE(){PD(this.b,this.c,this.a,this.d)};_.d=false;var Jh=YE('elemental.js.dom','JsElementalMixinBase/Remover',116);Zi(41,14,{41:1,3:1,21:1,14:1},yE);var rE,sE,tE,uE,vE,wE;var Kh=ZE('elemental.json','JsonType',41,zE);Zi(311,1,{},AE);_.Ub=function BE(){nw(this.a)};var Lh=YE(UJ,'Timer/1',311);Zi(312,1,{},CE);_.Ub=function DE(){pw(this.a)};var Mh=YE(UJ,'Timer/2',312);Zi(328,1,{});var Ph=YE(vK,'OutputStream',328);Zi(329,328,{});var Oh=YE(vK,'FilterOutputStream',329);Zi(126,329,{},EE);var Qh=YE(vK,'PrintStream',126);Zi(85,1,{112:1});_.p=function GE(){return this.a};var Rh=YE(qI,'AbstractStringBuilder',85);Zi(72,9,vI,HE);var ci=YE(qI,'IndexOutOfBoundsException',72);Zi(190,72,vI,IE);var Sh=YE(qI,'ArrayIndexOutOfBoundsException',190);Zi(127,9,vI,JE);var Th=YE(qI,'ArrayStoreException',127);Zi(42,5,{3:1,42:1,5:1});var $h=YE(qI,'Error',42);Zi(4,42,{3:1,4:1,42:1,5:1},LE,ME);var Uh=YE(qI,'AssertionError',4);Ec={3:1,117:1,21:1};var NE,OE;var Vh=YE(qI,'Boolean',117);Zi(119,9,vI,kF);var Wh=YE(qI,'ClassCastException',119);Zi(84,1,{3:1,84:1});var gi=YE(qI,'Number',84);Fc={3:1,21:1,118:1,84:1};var Yh=YE(qI,'Double',118);Zi(19,9,vI,nF);var ai=YE(qI,'IllegalArgumentException',19);Zi(43,9,vI,oF);var bi=YE(qI,'IllegalStateException',43);Zi(27,84,{3:1,21:1,27:1,84:1},pF);_.m=function qF(a){return Sc(a,27)&&Ic(a,27).a==this.a};_.o=function rF(){return this.a};_.p=function sF(){return ''+this.a};_.a=0;var di=YE(qI,'Integer',27);var uF;Zi(485,1,{});Zi(69,60,vI,wF,xF,yF);_.r=function zF(a){return new TypeError(a)};var fi=YE(qI,'NullPointerException',69);Zi(31,1,{3:1,31:1},AF);_.m=function BF(a){var b;if(Sc(a,31)){b=Ic(a,31);return this.c==b.c&&this.d==b.d&&this.a==b.a&&this.b==b.b}return false};_.o=function CF(){return BG(Dc(xc(hi,1),sI,1,5,[tF(this.c),this.a,this.d,this.b]))};_.p=function DF(){return this.a+'.'+this.d+'('+(this.b!=null?this.b:'Unknown Source')+(this.c>=0?':'+this.c:'')+')'};_.c=0;var ji=YE(qI,'StackTraceElement',31);Gc={3:1,112:1,21:1,2:1};var mi=YE(qI,'String',2);Zi(71,85,{112:1},VF,WF,XF);var ki=YE(qI,'StringBuilder',71);Zi(125,72,vI,YF);var li=YE(qI,'StringIndexOutOfBoundsException',125);Zi(489,1,{});var ZF;Zi(107,1,II,aG);_.V=function bG(a){return _F(a)};var ni=YE(qI,'Throwable/lambda$0$Type',107);Zi(96,9,vI,cG);var pi=YE(qI,'UnsupportedOperationException',96);Zi(330,1,{105:1});_._b=function dG(a){throw Ri(new cG('Add not supported on this collection'))};_.p=function eG(){var a,b,c;c=new fH;for(b=this.ac();b.dc();){a=b.ec();eH(c,a===this?'(this Collection)':a==null?wI:bj(a))}return !c.a?c.c:c.e.length==0?c.a.a:c.a.a+(''+c.e)};var qi=YE(wK,'AbstractCollection',330);Zi(331,330,{105:1,94:1});_.cc=function fG(a,b){throw Ri(new cG('Add not supported on this list'))};_._b=function gG(a){this.cc(this.bc(),a);return true};_.m=function hG(a){var b,c,d,e,f;if(a===this){return true}if(!Sc(a,36)){return false}f=Ic(a,94);if(this.a.length!=f.a.length){return false}e=new yG(f);for(c=new yG(this);c.a<c.c.a.length;){b=xG(c);d=xG(e);if(!(_c(b)===_c(d)||b!=null&&K(b,d))){return false}}return true};_.o=function iG(){return EG(this)};_.ac=function jG(){return new kG(this)};var si=YE(wK,'AbstractList',331);Zi(134,1,{},kG);_.dc=function lG(){return this.a<this.b.a.length};_.ec=function mG(){XH(this.a<this.b.a.length);return oG(this.b,this.a++)};_.a=0;var ri=YE(wK,'AbstractList/IteratorImpl',134);Zi(36,331,{3:1,36:1,105:1,94:1},sG);_.cc=function tG(a,b){_H(a,this.a.length);TH(this.a,a,b)};_._b=function uG(a){return nG(this,a)};_.ac=function vG(){return new yG(this)};_.bc=function wG(){return this.a.length};var ui=YE(wK,'ArrayList',36);Zi(73,1,{},yG);_.dc=function zG(){return this.a<this.c.a.length};_.ec=function AG(){return xG(this)};_.a=0;_.b=-1;var ti=YE(wK,'ArrayList/1',73);Zi(152,9,vI,FG);var vi=YE(wK,'NoSuchElementException',152);Zi(58,1,{58:1},MG);_.m=function NG(a){var b;if(a===this){return true}if(!Sc(a,58)){return false}b=Ic(a,58);return GG(this.a,b.a)};_.o=function OG(){return HG(this.a)};_.p=function QG(){return this.a!=null?'Optional.of('+RF(this.a)+')':'Optional.empty()'};var IG;var wi=YE(wK,'Optional',58);Zi(140,1,{});_.hc=function VG(a){RG(this,a)};_.fc=function TG(){return this.c};_.gc=function UG(){return this.d};_.c=0;_.d=0;var Ai=YE(wK,'Spliterators/BaseSpliterator',140);Zi(141,140,{});var xi=YE(wK,'Spliterators/AbstractSpliterator',141);Zi(137,1,{});_.hc=function _G(a){RG(this,a)};_.fc=function ZG(){return this.b};_.gc=function $G(){return this.d-this.c};_.b=0;_.c=0;_.d=0;var zi=YE(wK,'Spliterators/BaseArraySpliterator',137);Zi(138,137,{},bH);_.hc=function cH(a){XG(this,a)};_.ic=function dH(a){return YG(this,a)};var yi=YE(wK,'Spliterators/ArraySpliterator',138);Zi(124,1,{},fH);_.p=function gH(){return !this.a?this.c:this.e.length==0?this.a.a:this.a.a+(''+this.e)};var Bi=YE(wK,'StringJoiner',124);Zi(111,1,II,hH);_.V=function iH(a){return a};var Ci=YE('java.util.function','Function/lambda$0$Type',111);Zi(52,14,{3:1,21:1,14:1,52:1},oH);var kH,lH,mH;var Di=ZE(xK,'Collector/Characteristics',52,pH);Zi(294,1,{},qH);var Ei=YE(xK,'CollectorImpl',294);Zi(109,1,MI,sH);_.cb=function tH(a,b){rH(a,b)};var Fi=YE(xK,'Collectors/20methodref$add$Type',109);Zi(108,1,KI,uH);_.bb=function vH(){return new sG};var Gi=YE(xK,'Collectors/21methodref$ctor$Type',108);Zi(110,1,{},wH);var Hi=YE(xK,'Collectors/lambda$42$Type',110);Zi(139,1,{});_.c=false;var Oi=YE(xK,'TerminatableStream',139);Zi(98,139,{},EH);var Ni=YE(xK,'StreamImpl',98);Zi(142,141,{},IH);_.ic=function JH(a){return this.b.ic(new KH(this,a))};var Ji=YE(xK,'StreamImpl/MapToObjSpliterator',142);Zi(144,1,{},KH);_.gb=function LH(a){HH(this.a,this.b,a)};var Ii=YE(xK,'StreamImpl/MapToObjSpliterator/lambda$0$Type',144);Zi(143,1,{},NH);_.gb=function OH(a){MH(this,a)};var Ki=YE(xK,'StreamImpl/ValueConsumer',143);Zi(145,1,{},QH);var Li=YE(xK,'StreamImpl/lambda$4$Type',145);Zi(146,1,{},RH);_.gb=function SH(a){GH(this.b,this.a,a)};var Mi=YE(xK,'StreamImpl/lambda$5$Type',146);Zi(487,1,{});Zi(484,1,{});var dI=0;var fI,gI=0,hI;var mI=(Db(),Gb);var gwtOnLoad=gwtOnLoad=Vi;Ti(dj);Wi('permProps',[[[AK,'gecko1_8']],[[AK,tK]]]);if (client) client.onScriptLoad(gwtOnLoad);})();
};